"""Turn one bench run into bench/results/results.md, chart.png and
results.json.

Throughput is reported per runtime and connection mode as req/s with the
ratio to the bare asyncio-streams server of the same runtime and mode (the
ratios are the result: absolute numbers depend on the machine and on what
else runs on it). The goals of issue 8 are checked against these ratios and
against the MicroPython heap figures.
"""
import json
import os

from loadgen import MODES, WORKLOADS

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results')
RUNTIMES = ['CPython', 'MicroPython']


def ratio(runs, runtime, mode, name, workload, baseline='bare', by='rps'):
    """name's speed relative to baseline's: by req/s, or by='cpu_us' by the
    inverse of the server CPU time per request."""
    mine = runs.get((runtime, name, mode, workload.label))
    base = runs.get((runtime, baseline, mode, workload.label))
    if not mine or not base or not mine[by] or not base[by]:
        return None
    if by == 'cpu_us':
        return base[by] / mine[by]
    return mine[by] / base[by]


def fmt(value, pattern='%.2f', missing='n/a'):
    return missing if value is None else pattern % value


def throughput_tables(runs, names, by='rps'):
    lines = []
    for runtime in RUNTIMES:
        for mode in MODES:
            present = [n for n in names[runtime]
                       if any((runtime, n, mode, w.label) in runs for w in WORKLOADS)]
            if not present:
                continue
            lines += ['### %s, %s' % (runtime, mode), '',
                      '| server | ' + ' | '.join(w.label for w in WORKLOADS) + ' |',
                      '|---|' + '---:|' * len(WORKLOADS)]
            for name in present:
                cells = []
                for w in WORKLOADS:
                    run = runs.get((runtime, name, mode, w.label))
                    r = ratio(runs, runtime, mode, name, w, by=by)
                    cells.append('n/a' if not run or not run[by] else '%.0f (%s×)' % (
                        run[by], fmt(r)))
                lines.append('| %s | %s |' % (name, ' | '.join(cells)))
            lines.append('')
    return lines


def detail_table(runs, names, rss):
    lines = ['| runtime | mode | server | workload | req/s | × bare | CPU µs/req | '
             '× bare (CPU) | p50 ms | p99 ms | errors |',
             '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|']
    for runtime in RUNTIMES:
        for mode in MODES:
            for name in names[runtime]:
                for w in WORKLOADS:
                    run = runs.get((runtime, name, mode, w.label))
                    if run:
                        lines.append('| %s | %s | %s | %s | %.0f | %s | %s | %s | %s | %s '
                                     '| %d |' % (
                                         runtime, mode, name, w.label, run['rps'],
                                         fmt(ratio(runs, runtime, mode, name, w)),
                                         fmt(run['cpu_us'], '%.0f'),
                                         fmt(ratio(runs, runtime, mode, name, w,
                                                   by='cpu_us')),
                                         fmt(run['p50_ms']), fmt(run['p99_ms']),
                                         run['errors']))
    lines += ['', '| runtime | server | peak RSS (MiB) |', '|---|---|---:|']
    for (runtime, name), value in sorted(rss.items()):
        lines.append('| %s | %s | %.1f |' % (runtime, name, value / 2 ** 20))
    return lines


def memory_tables(memory):
    lines = ['| server | retained after import, .py (B) | after import, .mpy (B) | '
             'frozen in the firmware image (B) | smallest heap importing .py '
             'source | smallest heap serving 2,000 requests |',
             '|---|---:|---:|---:|---:|---:|']
    for name, m in memory.items():
        lines.append('| %s | %s | %s | %s | %s | %s |' % (
            name, fmt(m.get('import_py'), '%d', '–'), fmt(m.get('import_mpy'), '%d', '–'),
            fmt(m.get('import_frozen'), '%d', '–'),
            fmt(m.get('source_import_heap_kib'), '%d KiB', '–'),
            fmt(m.get('min_heap_kib'), '%d KiB', '> 128 KiB or failed')))
    lines += ['', 'The smallest heap serving is found by bisection in 2 KiB steps '
              'with the package imported from .mpy; a request fails on any error '
              'status, wrong body or broken connection. The smallest heap importing '
              '.py source (4 KiB steps) is the compiler\'s peak.']
    lines += ['', 'Heap allocated per request (bytes): growth of gc.mem_alloc() '
              'with the GC off, then micropython.mem_total() in parentheses.', '',
              '| server | mode | ' + ' | '.join(w.label for w in WORKLOADS) + ' |',
              '|---|---|' + '---:|' * len(WORKLOADS)]
    for name, m in memory.items():
        for mode in MODES:
            cells = []
            for w in WORKLOADS:
                value = m['alloc'].get((w.label, mode))
                cells.append('%d (%d)' % value if value else 'failed')
            lines.append('| %s | %s | %s |' % (name, mode, ' | '.join(cells)))
    return lines


def goals(runs, memory):
    """(goal, measured, met) rows: the speed goals of issue 8, the memory
    goals of issue 12."""
    def worst(runtime, mode, baseline, by):
        values = [ratio(runs, runtime, mode, 'ours', w, baseline, by) for w in WORKLOADS]
        if None in values:
            return None, 'n/a'
        return min(values), ', '.join('%.2f' % v for v in values)

    rows = []
    for text, runtime, mode, baseline, target in [
            ('CPython, new connection: ≥ 0.8 × bare', 'CPython', 'close', 'bare', 0.8),
            ('CPython, keep-alive: ≥ 1.0 × aiohttp on every workload', 'CPython',
             'keep-alive', 'aiohttp', 1.0),
            ('MicroPython, new connection: ≥ 0.75 × bare', 'MicroPython', 'close',
             'bare', 0.75),
            ('MicroPython, keep-alive: ≥ 0.6 × bare keep-alive', 'MicroPython',
             'keep-alive', 'bare', 0.6)]:
        for by, metric in (('rps', 'req/s'), ('cpu_us', 'CPU per request')):
            low, per_workload = worst(runtime, mode, baseline, by)
            rows.append(('%s (by %s)' % (text, metric), per_workload,
                         low is not None and low >= target))
    ours = memory.get('ours', {})
    simple = ours.get('alloc', {}).get(('GET /', 'close'))
    rows.append(('MicroPython: ≤ 4,096 B allocated per simple request (GET /, '
                 'new connection)', fmt(simple and simple[0], '%d B'),
                 bool(simple) and simple[0] <= 4096))
    retained = ours.get('import_mpy')
    rows.append(('MicroPython: ≤ 24,000 B retained after `import microdot` from .mpy',
                 fmt(retained, '%d B'), retained is not None and retained <= 24000))
    source = ours.get('source_import_heap_kib')
    rows.append(('MicroPython: `import microdot` from .py source at ≤ 160 KiB',
                 'smallest heap %s' % fmt(source, '%d KiB', '> 512 KiB'),
                 source is not None and source <= 160))
    heap = ours.get('min_heap_kib')
    rows.append(('MicroPython: serves 2,000 requests at ≤ 48 KiB',
                 'smallest heap %s' % fmt(heap, '%d KiB', '> 128 KiB'),
                 heap is not None and heap <= 48))
    return rows


def chart(runs, names, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(14, 9))
    for row, runtime in enumerate(RUNTIMES):
        for col, mode in enumerate(MODES):
            ax = axes[row][col]
            present = [n for n in names[runtime]
                       if any((runtime, n, mode, w.label) in runs for w in WORKLOADS)]
            width = 0.8 / max(len(present), 1)
            for i, name in enumerate(present):
                values = [ratio(runs, runtime, mode, name, w) or 0 for w in WORKLOADS]
                xs = [j + (i - (len(present) - 1) / 2) * width for j in range(len(WORKLOADS))]
                ax.bar(xs, values, width, label=name)
            ax.axhline(1.0, color='black', linewidth=0.8)
            ax.set_ylim(0, 1.35 * max([1.0] + [
                ratio(runs, runtime, mode, n, w) or 0 for n in present for w in WORKLOADS]))
            ax.set_xticks(range(len(WORKLOADS)))
            ax.set_xticklabels([w.label for w in WORKLOADS])
            ax.set_ylabel('req/s relative to bare')
            ax.set_title('%s, %s' % (runtime, mode))
            ax.legend(fontsize=8, ncol=2)
    fig.suptitle('Throughput relative to a bare asyncio-streams server (higher is better)')
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write(runs, rss, memory, names, meta):
    """runs: {(runtime, server, mode, workload label): wrk figures};
    rss: {(runtime, server): bytes}; memory: mpmem.measure_all();
    names: {runtime: [server names in table order]}; meta: run facts."""
    os.makedirs(RESULTS, exist_ok=True)
    lines = ['# Bench results', '',
             'One run of `make bench` (%s). wrk, 1 thread, %d connections, best '
             'of %d interleaved runs of %d s per cell; loopback; %s.' % (
                 meta['date'], meta['connections'], meta['rounds'], meta['seconds'],
                 meta['load']), '',
             'Ratios are the result: `× bare` is req/s divided by the bare '
             'asyncio-streams server\'s on the same runtime, mode and workload.', '',
             '## Goals (speed: issue 8; memory: issue 12)', '', '| goal | measured | met |', '|---|---|---|']
    for text, measured, met in goals(runs, memory):
        lines.append('| %s | %s | %s |' % (text, measured, 'yes' if met else '**no**'))
    lines += ['', 'Per workload, in the order ' + ', '.join(w.label for w in WORKLOADS)
              + '. "By CPU per request" compares the CPU time each server process '
              'used per request during its wrk runs (bare\'s divided by ours): other '
              'load on the machine disturbs it much less than req/s.',
              '', '## Throughput (req/s, × bare)', '']
    lines += throughput_tables(runs, names)
    lines += ['## Server CPU time per request (µs, × bare = bare\'s ÷ this)', '']
    lines += throughput_tables(runs, names, by='cpu_us')
    lines += ['## Latency, errors and RSS', '']
    lines += detail_table(runs, names, rss)
    if memory:
        lines += ['', '## MicroPython heap (unix runtime, 64-bit)', '']
        lines += memory_tables(memory)
    lines += ['', '## Setup', ''] + ['- ' + note for note in meta['notes']]
    with open(os.path.join(RESULTS, 'results.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    chart(runs, names, os.path.join(RESULTS, 'chart.png'))
    with open(os.path.join(RESULTS, 'results.json'), 'w') as f:
        json.dump({'meta': meta,
                   'runs': [dict(zip(('runtime', 'server', 'mode', 'workload'), k), **v)
                            for k, v in runs.items()],
                   'rss': [{'runtime': k[0], 'server': k[1], 'bytes': v}
                           for k, v in rss.items()],
                   'memory': {name: dict(m, alloc=[
                       {'workload': k[0], 'mode': k[1], 'mem_alloc': v and v[0],
                        'mem_total': v and v[1]} for k, v in m['alloc'].items()])
                       for name, m in memory.items()}}, f, indent=1)
