"""Issue 11 (findings 5, 6, 7, 9) against the login example served for real
under CPython and MicroPython: cookies captured before a logout, a previous
user's "remember me", swapped and malleated tokens."""
import pytest

from servers import RUNTIMES, Server, example
from test_examples_uploads_login_cors import Browser

SAME_ORIGIN = {'Sec-Fetch-Site': 'same-origin'}


def log_in(browser, name, password, remember=False):
    form = {'name': name, 'password': password}
    if remember:
        form['remember'] = 'on'
    status, _, _, cookies = browser.request('POST', '/login', form)
    assert status == 302
    return cookies


def page(browser):
    status, _, text, _ = browser.request('GET', '/')
    return text if status == 200 else status


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_cookies_captured_before_logout_are_refused(runtime):
    with Server(example('login', 'login.py'), runtime) as srv:
        browser = Browser(srv)
        log_in(browser, 'susan', 'hello', remember=True)
        captured = dict(browser.cookies)
        assert 'Hello, susan!' in page(browser)
        browser.request('POST', '/logout', headers=SAME_ORIGIN)
        assert browser.cookies.keys() <= {'session'}
        browser.cookies = dict(captured)
        assert page(browser) == 302
        browser.cookies = {'_remember': captured['_remember']}
        assert page(browser) == 302
        log_in(browser, 'susan', 'hello')
        assert 'Hello, susan!' in page(browser)


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_remember_me_of_a_previous_user(runtime):
    with Server(example('login', 'login.py'), runtime) as srv:
        browser = Browser(srv)
        log_in(browser, 'david', 'bye', remember=True)
        # remember me is used, not renewed
        del browser.cookies['session']
        status, _, text, cookies = browser.request('GET', '/')
        assert status == 200 and 'Hello, david!' in text
        assert not [c for c in cookies if c.startswith('_remember=')]
        cookies = log_in(browser, 'susan', 'hello')
        assert [c for c in cookies if c.startswith('_remember=;')]
        del browser.cookies['session']  # the browser was restarted
        assert page(browser) == 302


@pytest.mark.parametrize('runtime', RUNTIMES)
def test_swapped_and_malleated_tokens_are_refused(runtime):
    with Server(example('login', 'login.py'), runtime) as srv:
        browser = Browser(srv)
        log_in(browser, 'david', 'bye', remember=True)
        remember = browser.cookies['_remember']
        browser.cookies = {'session': remember}
        assert page(browser) == 302
        for malleated in (remember[:-4] + '!!*' + remember[-4:],
                          remember + '='):
            browser.cookies = {'_remember': malleated}
            assert page(browser) == 302
        browser.cookies = {'_remember': remember}
        assert 'Hello, david!' in page(browser)
