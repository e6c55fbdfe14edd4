import { describe, expect, it } from 'vitest'
import { classifyUsersBlocked, classifyUsersOk } from './classify.js'

describe("forum's /api/users through webapp", () => {
  const users = JSON.stringify([{ id: 1, name: 'Leanne Graham' }])

  it('allowed: 200 with users; blocked: only webapp\'s "error calling Forum service"; any other 5xx is an error', () => {
    expect(classifyUsersOk(200, users)).toEqual({ class: 'v1' })
    expect(classifyUsersOk(500, 'error calling Forum service')).toEqual({ class: 'v2' })
    expect(classifyUsersOk(500, 'upstream connect error')).toMatchObject({ class: 'error' })
    expect(classifyUsersOk(503, 'no healthy upstream')).toMatchObject({ class: 'error' })
    expect(classifyUsersOk(200, '[]')).toMatchObject({ class: 'error' })
  })

  it("blocked is exactly the lab's 500 body; a 200 means the call got out", () => {
    expect(classifyUsersBlocked(500, 'error calling Forum service')).toEqual({ class: 'v1' })
    expect(classifyUsersBlocked(200, users)).toEqual({ class: 'v2' })
    expect(classifyUsersBlocked(502, 'bad gateway')).toMatchObject({ class: 'error' })
  })
})
