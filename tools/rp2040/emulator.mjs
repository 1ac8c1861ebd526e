// Boots a MicroPython UF2 image in rp2040js and relays the board's USB CDC
// serial port over stdin/stdout, byte for byte. tools/pico_emulator.py puts
// a pty in front of it, for mpremote.
//
//   node emulator.mjs --bootrom BOOTROM.bin --image FIRMWARE.uf2
//       [--romfs IMAGE.romfs --romfs-address ADDRESS]
//
// --romfs writes a ROMFS image into the flash at ADDRESS (the image's ROMFS
// partition), where the port finds and mounts it at /rom, as after
// `mpremote romfs deploy`.
//
// stderr gets one line "rp2040js: usb connected" when the board's USB serial
// port is up, and messages about the emulator itself.
import { readFileSync } from 'fs';
import { Simulator, USBCDC, ConsoleLogger, LogLevel } from 'rp2040js';

const FLASH_START = 0x10000000;
const UF2_MAGIC_START0 = 0x0a324655;
const UF2_MAGIC_START1 = 0x9e5d5157;
const UF2_MAGIC_END = 0x0ab16f30;
const UF2_FLAG_NOT_MAIN_FLASH = 0x1;
const BOOTROM_BYTES = 16384;
const CYCLE_NANOS = 1e9 / 125_000_000; // 125 MHz
const BATCH = 200_000; // instructions between two looks at the host side

function option(name, optional = false) {
  const at = process.argv.indexOf('--' + name);
  if (at < 0 || at + 1 >= process.argv.length) {
    if (optional) {
      return null;
    }
    fail(`missing --${name}`);
  }
  return process.argv[at + 1];
}

function fail(message) {
  process.stderr.write(`rp2040js: ${message}\n`);
  process.exit(2);
}

function loadBootrom(mcu, path) {
  const bytes = readFileSync(path);
  if (bytes.length !== BOOTROM_BYTES) {
    fail(`${path} is not an RP2040 boot ROM (${bytes.length} bytes, not ${BOOTROM_BYTES})`);
  }
  const words = new Uint32Array(BOOTROM_BYTES / 4);
  for (let i = 0; i < words.length; i++) {
    words[i] = bytes.readUInt32LE(i * 4);
  }
  mcu.loadBootrom(words); // also resets the chip, erasing the flash
}

function loadUF2(mcu, path) {
  const data = readFileSync(path);
  let blocks = 0;
  for (let at = 0; at + 512 <= data.length; at += 512) {
    const magic0 = data.readUInt32LE(at);
    const magic1 = data.readUInt32LE(at + 4);
    const end = data.readUInt32LE(at + 508);
    if (magic0 !== UF2_MAGIC_START0 || magic1 !== UF2_MAGIC_START1 || end !== UF2_MAGIC_END) {
      fail(`${path}: block ${at / 512} is not a UF2 block`);
    }
    const flags = data.readUInt32LE(at + 8);
    const address = data.readUInt32LE(at + 12);
    const size = data.readUInt32LE(at + 16);
    if (flags & UF2_FLAG_NOT_MAIN_FLASH) {
      continue;
    }
    mcu.flash.set(data.subarray(at + 32, at + 32 + size), address - FLASH_START);
    blocks++;
  }
  if (!blocks) {
    fail(`${path} holds no UF2 block for the flash`);
  }
}

const simulator = new Simulator();
const mcu = simulator.rp2040;
mcu.logger = new ConsoleLogger(LogLevel.Error);
loadBootrom(mcu, option('bootrom'));
loadUF2(mcu, option('image'));
const romfs = option('romfs', true);
if (romfs) {
  const address = Number(option('romfs-address'));
  if (!(address >= FLASH_START)) {
    fail(`--romfs-address ${option('romfs-address')} is not a flash address`);
  }
  mcu.flash.set(readFileSync(romfs), address - FLASH_START);
}

// Bytes from the host wait here until the board's receive FIFO has room.
const pending = [];
let pendingAt = 0;
const cdc = new USBCDC(mcu.usbCtrl);
cdc.onDeviceConnected = () => process.stderr.write('rp2040js: usb connected\n');
cdc.onSerialData = (buffer) => process.stdout.write(Buffer.from(buffer));
process.stdin.on('data', (chunk) => pending.push(chunk));
process.stdin.on('end', () => process.exit(0));

function feed() {
  while (pending.length && !cdc.txFIFO.full) {
    const chunk = pending[0];
    cdc.sendSerialByte(chunk[pendingAt++]);
    if (pendingAt === chunk.length) {
      pending.shift();
      pendingAt = 0;
    }
  }
}

function run() {
  const { clock } = simulator;
  feed();
  for (let i = 0; i < BATCH; i++) {
    if (mcu.core.waiting) {
      const nanos = clock.nanosToNextAlarm;
      clock.tick(nanos);
      i += nanos / CYCLE_NANOS;
    } else {
      clock.tick(mcu.core.executeInstruction() * CYCLE_NANOS);
    }
  }
  setImmediate(run);
}

mcu.core.PC = FLASH_START;
run();
