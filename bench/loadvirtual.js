#!/usr/bin/env node
// loadvirtual.js: the time of npm's own lockfile reading, in process.
//
//   node bench/loadvirtual.js DIR [--runs N] [--arborist PATH]
//
// Requires @npmcli/arborist once (the one inside the global npm, or PATH),
// then runs `new Arborist({path: DIR}).loadVirtual()` N times (default 1) and
// prints one JSON line on stdout:
//   {"require_ms", "first_ms", "median_ms", "min_ms", "max_ms", "runs", "inventory"}
// first_ms is the first call (cold JIT); median/min/max are over the later
// calls, or the first one when N is 1. compare-npm.sh runs it twice: with
// --runs 1 under hyperfine (the whole node process), and with --runs N for
// the in-process time. Pass --arborist so the timed process does not spawn
// `npm root -g` itself.
'use strict'

const path = require('path')

function fail (msg) {
  process.stderr.write(`loadvirtual: error: ${msg}\n` +
    'usage: node bench/loadvirtual.js DIR [--runs N] [--arborist PATH]\n')
  process.exit(1)
}

const args = process.argv.slice(2)
let dir = null
let runs = 1
let arboristPath = null
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '--runs') runs = Number(args[++i])
  else if (a === '--arborist') arboristPath = args[++i]
  else if (a.startsWith('-')) fail(`unknown argument '${a}'`)
  else if (dir === null) dir = a
  else fail(`unexpected argument '${a}'`)
}
if (dir === null) fail('DIR is required')
if (!Number.isInteger(runs) || runs < 1) fail('--runs must be a positive integer')
if (!arboristPath) {
  const { execSync } = require('child_process')
  arboristPath = path.join(execSync('npm root -g', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(),
    'npm', 'node_modules', '@npmcli', 'arborist')
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6

async function main () {
  const t0 = process.hrtime.bigint()
  const Arborist = require(arboristPath)
  const requireMs = ms(t0)
  const times = []
  let inventory = 0
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    const tree = await new Arborist({ path: path.resolve(dir) }).loadVirtual()
    times.push(ms(t))
    inventory = tree.inventory.size
  }
  const warm = (times.length > 1 ? times.slice(1) : times).sort((a, b) => a - b)
  const r = (x) => Math.round(x * 10) / 10
  process.stdout.write(JSON.stringify({
    require_ms: r(requireMs),
    first_ms: r(times[0]),
    median_ms: r(warm[Math.floor((warm.length - 1) / 2)] / 2 + warm[Math.ceil((warm.length - 1) / 2)] / 2),
    min_ms: r(warm[0]),
    max_ms: r(warm[warm.length - 1]),
    runs,
    inventory,
  }) + '\n')
}

main().catch((e) => {
  process.stderr.write(`loadvirtual: error: ${e.code || ''} ${e.message}\n`)
  process.exit(2)
})
