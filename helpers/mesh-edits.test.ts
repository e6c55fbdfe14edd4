import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { outboundPolicyOf, withHostsEntry, withOutboundPolicy } from './mesh-edits.js'
import { pollUntil } from './poll.js'
import { isPortFree } from './system/ports.js'
import { STAND_IN_SERVER, STAND_IN_USERS } from './system/stand-in-program.js'

// kind's default Corefile (CoreDNS ConfigMap in kube-system), as created by kubeadm.
const KIND_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`

describe('mesh config edit', () => {
  it('sets REGISTRY_ONLY and keeps everything else', () => {
    const mesh =
      'accessLogFile: /dev/stdout\ndefaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n'
    const edited = withOutboundPolicy(mesh, 'REGISTRY_ONLY')
    expect(outboundPolicyOf(edited)).toBe('REGISTRY_ONLY')
    expect(edited).toContain('accessLogFile: /dev/stdout')
    expect(outboundPolicyOf(mesh)).toBe('ALLOW_ANY')
  })
})

describe('CoreDNS hosts entry', () => {
  it('adds a hosts block with fallthrough to the root server block', () => {
    const edited = withHostsEntry(KIND_COREFILE, '172.18.0.9', 'jsonplaceholder.typicode.com')
    expect(edited).toContain(
      '.:53 {\n    hosts {\n       172.18.0.9 jsonplaceholder.typicode.com\n       ttl 5\n       fallthrough\n    }\n    errors',
    )
    expect(edited.replace(/ {4}hosts \{\n.*\n.*\n.*\n {4}\}\n/, '')).toBe(KIND_COREFILE)
  })

  it('adds to an existing hosts block, and refuses a Corefile without a root block', () => {
    const once = withHostsEntry(KIND_COREFILE, '172.18.0.9', 'a.example')
    expect(withHostsEntry(once, '172.18.0.10', 'b.example')).toContain(
      'hosts {\n       172.18.0.10 b.example\n       172.18.0.9 a.example',
    )
    expect(() => withHostsEntry('example.org:53 {\n}\n', '1.2.3.4', 'x')).toThrow('no ".:53 {" server block')
  })
})

describe('stand-in server program', () => {
  it('answers /users like the real host and 404 elsewhere (run here with node, as in its container)', async () => {
    let port = 0
    for (let p = 41000 + Math.floor(Math.random() * 2000); ; p++)
      if (await isPortFree(p)) {
        port = p
        break
      }
    const child = spawn(process.execPath, ['-e', STAND_IN_SERVER], {
      env: { ...process.env, PORT: String(port) },
      stdio: 'ignore',
    })
    try {
      const body = await pollUntil(
        'stand-in listening',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/users`)
          return { done: true, value: { status: res.status, json: (await res.json()) as unknown } }
        },
        { timeoutMs: 5_000, intervalMs: 50 },
      )
      expect(body).toEqual({ status: 200, json: STAND_IN_USERS })
      expect((await fetch(`http://127.0.0.1:${port}/posts`)).status).toBe(404)
    } finally {
      child.kill()
    }
  })
})
