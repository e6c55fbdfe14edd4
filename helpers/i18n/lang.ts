/**
 * The languages the suite speaks, and which one a user asked for. Pure.
 *
 * English is the default. `--lang` wins; otherwise the POSIX locale variables in their order of
 * precedence (LC_ALL, then LC_MESSAGES, then LANG) decide: `ko`, `ko_KR`, `ko_KR.UTF-8` and
 * `ko-KR` mean Korean, anything else English.
 */
export const LANGS = ['en', 'ko'] as const
export type Lang = (typeof LANGS)[number]

export const DEFAULT_LANG: Lang = 'en'

/** The language of a locale name (`ko_KR.UTF-8` -> ko), or undefined for one the suite lacks. */
export function langOfLocale(locale: string | undefined): Lang | undefined {
  const code = /^([a-zA-Z]{2,3})(?:[_-]|\.|@|$)/.exec(locale ?? '')?.[1]?.toLowerCase()
  return (LANGS as readonly string[]).includes(code ?? '') ? (code as Lang) : undefined
}

/**
 * The flag's language, else the first locale variable that is set (an empty one is skipped, as
 * POSIX says), else English. A set variable naming a language the suite lacks means English.
 */
export function chooseLang(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Lang {
  if (flag !== undefined) return langOfLocale(flag) ?? DEFAULT_LANG
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name]
    if (value) return langOfLocale(value) ?? DEFAULT_LANG
  }
  return DEFAULT_LANG
}
