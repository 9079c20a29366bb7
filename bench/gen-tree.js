#!/usr/bin/env node
// gen-tree.js: an installed node_modules for a generated project, for the
// pack benchmark (compare-pack.sh).
//
//   node bench/gen-tree.js DIR [--seed S]
//
// DIR is a project written by gen-lockfile.js. For every entry of its
// package-lock.json this writes what `npm ci` would have put there: the
// package folder with a package.json naming the entry's name and version,
// and a deterministic spread of files shaped like the corpus installs
// (about 10 files per package, 95% under 4 KiB, the rest up to 100 KiB, in
// lib/, dist/ and the package root; one in 50 packages ships an executable),
// a symlink for each link entry, and the workspace and file: folders the
// links point at already exist (gen-lockfile.js wrote them). Same lockfile
// and seed, same tree. Only node's standard library is used.
'use strict'

const fs = require('fs')
const path = require('path')

const args = process.argv.slice(2)
if (!args[0]) {
  console.error('usage: node bench/gen-tree.js DIR [--seed S]')
  process.exit(2)
}
const dir = path.resolve(args[0])
const seedAt = args.indexOf('--seed')
let seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 1

function random () {
  // mulberry32: small, fast, same sequence everywhere
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'))
const filler = Buffer.alloc(1 << 18)
for (let i = 0; i < filler.length; i++) filler[i] = 32 + ((i * 7919) % 90)

let files = 0
let bytes = 0
for (const [location, entry] of Object.entries(lock.packages)) {
  if (location === '' || !location.includes('node_modules/')) continue
  const at = path.join(dir, location)
  if (entry.link) {
    fs.mkdirSync(path.dirname(at), { recursive: true })
    const target = path.join(dir, entry.resolved)
    fs.rmSync(at, { force: true, recursive: true })
    fs.symlinkSync(path.relative(path.dirname(at), target), at)
    continue
  }
  const name = entry.name || location.slice(location.lastIndexOf('node_modules/') + 13)
  fs.mkdirSync(at, { recursive: true })
  const pkg = { name, version: entry.version }
  if (entry.os) pkg.os = entry.os
  if (entry.cpu) pkg.cpu = entry.cpu
  if (entry.libc) pkg.libc = entry.libc
  fs.writeFileSync(path.join(at, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  const count = 3 + Math.floor(random() * 15)
  for (let i = 0; i < count; i++) {
    const sub = ['', 'lib/', 'dist/', 'lib/util/'][Math.floor(random() * 4)]
    const size = random() < 0.95 ? Math.floor(random() * 4096) : Math.floor(random() * 100000)
    const file = path.join(at, sub + 'f' + i + (random() < 0.7 ? '.js' : '.d.ts'))
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, filler.subarray(0, size))
    files++
    bytes += size
  }
  if (random() < 0.02) {
    fs.writeFileSync(path.join(at, 'cli.js'), '#!/usr/bin/env node\n', { mode: 0o755 })
    files++
  }
}
console.log(JSON.stringify({ dir, files, bytes }))
