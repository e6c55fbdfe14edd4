#!/usr/bin/env node
// Package entry: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../helpers/cli/main.ts')
process.exitCode = await main(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
})
