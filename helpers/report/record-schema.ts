import { readFileSync } from 'node:fs'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { terminalText } from '../text/escape.js'
import {
  READABLE_RUN_RECORD_SCHEMAS,
  RUN_RECORD_SCHEMA,
  type RunRecord,
  type ScenarioResult,
} from './model.js'

/** The published JSON Schema of run.json, shipped beside this file. */
export const RUN_RECORD_SCHEMA_URL = new URL('./run-record.schema.json', import.meta.url)

/** The schema document, as shipped. */
export const runRecordSchema = JSON.parse(readFileSync(RUN_RECORD_SCHEMA_URL, 'utf8')) as {
  readonly $id: string
  readonly $defs: Readonly<Record<string, unknown>>
}

let ajv: Ajv2020 | undefined
/** The validator of the whole record, or of one of its definitions (`$defs/<name>`). */
function validator(definition?: string): ValidateFunction {
  // strict: a schema keyword Ajv does not know is an error here, not silently ignored. Required
  // names without a `properties` entry beside them are intended (a union's tag, `if`'s test).
  ajv ??= new Ajv2020({ strict: true, strictRequired: false, discriminator: true }).addSchema(runRecordSchema)
  const ref = definition ? `${runRecordSchema.$id}#/$defs/${definition}` : runRecordSchema.$id
  return ajv.getSchema(ref) as ValidateFunction
}

/** The first place a value breaks the schema: a JSON pointer into the record and what is wrong. */
export interface SchemaProblem {
  /** RFC 6901 pointer; '' is the whole record. */
  readonly pointer: string
  readonly message: string
}

const pointerToken = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1')

/** A short, printable account of a value found in the record. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (value !== null && typeof value === 'object') return 'an object'
  const json = JSON.stringify(value)
  return json.length > 40 ? `${json.slice(0, 37)}...` : json
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    value =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[token] : undefined
  }
  return value
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
}

/** What the patterns of the schema mean, in words. */
const PATTERN_MEANING: Readonly<Record<string, string>> = {
  Id: "a catalogue id (lower-case words joined by '-')",
  Timestamp: 'an ISO 8601 UTC time such as 2026-11-27T08:00:00.000Z',
  Outcomes: "a string of '1', '2' and 'e' (one per response)",
}

/** One readable sentence for Ajv's first error. Pure. */
export function describeSchemaError(error: ErrorObject, record: unknown): SchemaProblem {
  const at = error.instancePath
  const found = valueAt(record, at)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
      return { pointer: `${at}/${pointerToken(String(params.missingProperty))}`, message: 'is missing' }
    case 'additionalProperties':
      return {
        pointer: `${at}/${pointerToken(String(params.additionalProperty))}`,
        message: 'is not a field of this record',
      }
    case 'type':
      return {
        pointer: at,
        message: `must be ${String(params.type)
          .split(',')
          .map((t) => TYPE_WORDS[t] ?? t)
          .join(' or ')}, found ${shown(found)}`,
      }
    case 'const':
      return {
        pointer: at,
        message: `must be ${JSON.stringify(params.allowedValue)}, found ${shown(found)}`,
      }
    case 'enum':
      return {
        pointer: at,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, found ${shown(found)}`,
      }
    case 'discriminator':
      return {
        pointer: `${at}/${pointerToken(String(params.tag))}`,
        message:
          params.error === 'tag'
            ? `must be a string naming the kind, found ${shown(valueAt(record, `${at}/${pointerToken(String(params.tag))}`))}`
            : `names no known kind: ${shown(params.tagValue)}`,
      }
    case 'pattern': {
      const def = /#\/\$defs\/([A-Za-z]+)\/pattern$/.exec(error.schemaPath)?.[1] ?? ''
      return {
        pointer: at,
        message: `must be ${PATTERN_MEANING[def] ?? `a string matching ${String(params.pattern)}`}, found ${shown(found)}`,
      }
    }
    case 'minItems':
      return { pointer: at, message: `must have at least ${params.limit} item(s), found none` }
    default:
      return { pointer: at, message: `${error.message ?? 'is invalid'}, found ${shown(found)}` }
  }
}

/**
 * Validates one scenario's result (reports/<run>/scenarios/<id>.json, which the e2e run writes
 * and `run` reads back) against the schema's ScenarioResult; pointers are relative to it.
 */
export function checkScenarioResult(
  value: unknown,
):
  | { readonly ok: true; readonly result: ScenarioResult }
  | { readonly ok: false; readonly problem: SchemaProblem } {
  const validate = validator('ScenarioResult')
  if (validate(value)) return { ok: true, result: value as ScenarioResult }
  const problem =
    value === null || typeof value !== 'object' || Array.isArray(value)
      ? { pointer: '', message: `must be a JSON object, found ${shown(value)}` }
      : describeSchemaError((validate.errors as ErrorObject[])[0] as ErrorObject, value)
  return {
    ok: false,
    problem: { pointer: terminalText(problem.pointer), message: terminalText(problem.message) },
  }
}

/**
 * A schema 2 record as the schema 3 record it is: the same fields, no scenario with `phases`
 * (schema 3 added them). One with phases is no schema 2 record: the first is named. Pure.
 */
function fromSchema2(
  value: Record<string, unknown>,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: SchemaProblem } {
  const scenarios = Array.isArray(value.scenarios) ? (value.scenarios as unknown[]) : []
  const at = scenarios.findIndex((s) => s !== null && typeof s === 'object' && 'phases' in s)
  if (at >= 0)
    return {
      ok: false,
      problem: { pointer: `/scenarios/${at}/phases`, message: 'is not a field of a schema 2 record' },
    }
  return { ok: true, value: { ...value, schema: RUN_RECORD_SCHEMA } }
}

/**
 * Validates a parsed run.json against the schema. On failure, the first bad field as a JSON
 * pointer and a sentence, both safe to print (no control characters from the file). A record
 * of an older schema this suite still reads (READABLE_RUN_RECORD_SCHEMAS) is returned as the
 * current shape: schema 2 becomes schema 3 without phases, so reports draw it without a timeline.
 */
export function checkRunRecord(
  value: unknown,
):
  | { readonly ok: true; readonly record: RunRecord }
  | { readonly ok: false; readonly problem: SchemaProblem } {
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value)
  const schema = isObject ? (value as { schema?: unknown }).schema : undefined
  let current: unknown = value
  if (isObject && schema === 2) {
    const upgraded = fromSchema2(value as Record<string, unknown>)
    if (!upgraded.ok) return { ok: false, problem: upgraded.problem }
    current = upgraded.value
  }
  const validate = validator()
  if (validate(current)) return { ok: true, record: current as RunRecord }
  // Another version's record: say so, rather than listing the first field that differs.
  const problem: SchemaProblem =
    isObject && schema !== undefined && !READABLE_RUN_RECORD_SCHEMAS.includes(schema as number)
      ? {
          pointer: '/schema',
          message: `is ${shown(schema)}; this suite reads run records of schema ${READABLE_RUN_RECORD_SCHEMAS.join(' and ')}`,
        }
      : !isObject
        ? { pointer: '', message: `must be a JSON object, found ${shown(value)}` }
        : describeSchemaError((validate.errors as ErrorObject[])[0] as ErrorObject, current)
  return {
    ok: false,
    problem: { pointer: terminalText(problem.pointer), message: terminalText(problem.message) },
  }
}
