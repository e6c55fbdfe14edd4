import { describe, expect, it } from 'vitest'
import { parseTarget } from './target.js'

describe('parseTarget', () => {
  it.each([
    ['127.0.0.1:30000', { address: '127.0.0.1', port: 30000 }],
    ['localhost:1', { address: 'localhost', port: 1 }],
    ['ingress.example.com:65535', { address: 'ingress.example.com', port: 65535 }],
    ['[::1]:30000', { address: '::1', port: 30000 }],
    ['[fd00::5]:80', { address: 'fd00::5', port: 80 }],
  ])('accepts %s', (text, target) => {
    expect(parseTarget(text)).toEqual(target)
  })

  it.each([
    ['::::', "'::::' is not HOST:PORT (IPv6 in brackets: [::1]:30000)"],
    ['http://x', "'http://x' has a scheme; give only HOST:PORT"],
    ['127.0.0.1:0', "port 0 in '127.0.0.1:0' is not in 1..65535"],
    ['127.0.0.1:70000', "port 70000 in '127.0.0.1:70000' is not in 1..65535"],
    ['127.0.0.1', "'127.0.0.1' is not HOST:PORT (IPv6 in brackets: [::1]:30000)"],
    ['::1:30000', "'::1:30000' is not HOST:PORT (IPv6 in brackets: [::1]:30000)"],
    ['[:::]:1', "':::' in '[:::]:1' is not an IPv6 address"],
    ['-x:80', "'-x' is not a host name"],
    ['host:80/path', "'host:80/path' is not HOST:PORT (IPv6 in brackets: [::1]:30000)"],
  ])('refuses %s', (text, problem) => {
    expect(parseTarget(text)).toEqual({ problem })
  })
})
