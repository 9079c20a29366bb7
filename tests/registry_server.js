// registry_server.js: a tiny tarball registry for the fetch tests.
//
//   node registry_server.js CONFIG.json
//
// Listens on 127.0.0.1 on a free port and prints `PORT <n>` on stdout. Serves
// the file `<root><url path>` for every GET. CONFIG (JSON) may ask it to:
//   token:   require `Authorization: Bearer <token>` (401 otherwise)
//   corrupt: paths whose bytes are served with one byte flipped
//   drop:    { path: n } close the connection without an answer n times
//            (-1: always)
//   log:     a file that gets one line per request:
//            `<path> <authorization or ->`
'use strict'
const fs = require('fs')
const http = require('http')
const path = require('path')

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const dropped = {}

const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname)
  if (config.log) {
    fs.appendFileSync(config.log, `${url} ${req.headers.authorization || '-'}\n`)
  }
  const drops = (config.drop || {})[url]
  if (drops !== undefined && (drops < 0 || (dropped[url] || 0) < drops)) {
    dropped[url] = (dropped[url] || 0) + 1
    req.socket.destroy()
    return
  }
  if (config.token && req.headers.authorization !== `Bearer ${config.token}`) {
    res.writeHead(401, { 'content-type': 'text/plain' })
    res.end('unauthorized')
    return
  }
  const file = path.join(config.root, url)
  if (!file.startsWith(config.root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
    return
  }
  const body = fs.readFileSync(file)
  if ((config.corrupt || []).includes(url)) body[body.length >> 1] ^= 0xff
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length })
  res.end(body)
})

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`)
})
// the test closes our stdin when it is done (or dies): exit then
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
