import { describe, expect, it } from 'vitest'
import { CONTROL_CHARACTER, HOSTILE, HOSTILE_TEXT } from '../testing/hostile.js'
import {
  htmlAttribute,
  htmlText,
  markdownCode,
  markdownText,
  stripControls,
  terminalText,
  xmlAttribute,
  xmlText,
} from './escape.js'

const decodeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&apos;/g, "'")
    .replace(/&#10;/g, '\n')
    .replace(/&#9;/g, '\t')
    .replace(/&amp;/g, '&')

describe('stripControls and terminalText', () => {
  it('removes colour codes and screen clears whole, keeping the words', () => {
    expect(terminalText(HOSTILE.ansiColour)).toBe('red  cleared')
  })

  it('removes OSC 8 hyperlinks and window titles, keeping the visible text', () => {
    expect(terminalText(HOSTILE.osc8)).toBe('hyperlink')
    expect(terminalText(HOSTILE.oscTitle)).toBe('after title')
    expect(terminalText('\u001b]0;unterminated title')).toBe('')
  })

  it('drops NUL, BEL, backspace, carriage return, DEL, C1 (also the 8-bit CSI) and bidi overrides', () => {
    expect(terminalText(HOSTILE.controls)).toBe('nul bel bs cr del c1 csi8 bidi txt')
  })

  it('keeps tabs and non-ASCII text; one line unless asked for several', () => {
    expect(terminalText('a\tb ü 日本')).toBe('a\tb ü 日本')
    expect(terminalText(HOSTILE.newlineForgery)).toBe('fine PASS forged-scenario: every check passed')
    expect(terminalText('a\r\nb', { multiline: true })).toBe('a\nb')
  })

  it('lets no control character through, whatever the input', () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('')
    for (const input of [HOSTILE_TEXT, all, all + HOSTILE_TEXT + all]) {
      expect(terminalText(input)).not.toMatch(CONTROL_CHARACTER)
      expect(terminalText(input, { multiline: true })).not.toMatch(CONTROL_CHARACTER)
      expect(stripControls(input, true)).not.toMatch(CONTROL_CHARACTER)
    }
  })
})

describe('htmlText and htmlAttribute', () => {
  it('turns markup into text: no tag, quote or ampersand survives raw', () => {
    for (const value of Object.values(HOSTILE)) {
      const escaped = htmlAttribute(value)
      expect(escaped).not.toMatch(/[<>"']/)
      expect(escaped.replace(/&(amp|lt|gt|quot|#39|#10|#9);/g, '')).not.toContain('&')
      expect(decodeHtml(escaped)).toBe(stripControls(value, true))
    }
    expect(htmlText(HOSTILE.script)).toBe(
      '&lt;script&gt;document.title=&quot;PWNED-script&quot;&lt;/script&gt;',
    )
  })

  it('keeps newlines in text (for <pre>) and encodes them in attributes', () => {
    expect(htmlText('a\nb')).toBe('a\nb')
    expect(htmlAttribute('a\nb')).toBe('a&#10;b')
  })
})

describe('xmlText and xmlAttribute', () => {
  it('escapes the five markup characters and drops what XML 1.0 cannot carry', () => {
    expect(xmlText('a < b & "c" \'d\' \u0007 \ud800')).toBe('a &lt; b &amp; &quot;c&quot; &apos;d&apos;  ')
    expect(xmlAttribute('x\ny')).toBe('x&#10;y')
    expect(xmlText(HOSTILE.ansiColour)).toBe('red  cleared')
  })
})

describe('markdownText and markdownCode', () => {
  it('escapes every character that could start markup, a table column or an autolink', () => {
    const md = markdownText(HOSTILE.markdown)
    // Every special character is preceded by a backslash.
    expect(md.replace(/\\[\\`*_~[\]<>|&#$!:.]/g, '')).not.toMatch(/[\\`*_~[\]<>|&#$!]/)
    expect(md).not.toMatch(/[^\\]:\/\//)
    expect(md).not.toMatch(/www\./i)
    expect(markdownText('a|b')).toBe('a\\|b')
    expect(markdownText(HOSTILE.img)).toBe('\\<img src=x onerror="document.title=\'PWNED-img\'"\\>')
  })

  it('is one line without control characters', () => {
    expect(markdownText(HOSTILE_TEXT)).not.toMatch(CONTROL_CHARACTER)
    expect(markdownText(HOSTILE_TEXT)).not.toContain('\n')
  })

  it('fences code spans longer than any backtick run inside, and escapes pipes', () => {
    expect(markdownCode('kind-istio-conformance')).toBe('`kind-istio-conformance`')
    expect(markdownCode('a`b')).toBe('``a`b``')
    expect(markdownCode('`x``')).toBe('``` `x`` ```')
    expect(markdownCode('a|b\nc')).toBe('`a\\|b c`')
  })
})
