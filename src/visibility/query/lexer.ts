/**
 * Tokens of Temporal's visibility query language, a subset of SQL's WHERE syntax. Anything the
 * language has no use for (semicolons, comments, other operators) is an error here, at its
 * position, rather than something later stages must remember to refuse.
 *
 * String literals take single or double quotes; inside one, a doubled quote or a backslash
 * escape stands for the character (as in the MySQL dialect Temporal's parser follows).
 * Identifiers may be backquoted to hold any character but a backquote.
 */
import { QueryError } from './query-error.js'

export type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'quotedName'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'op'; text: '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='; pos: number }
  | { kind: '(' | ')' | ','; pos: number }
  | { kind: 'end'; pos: number }

const backslashEscapes: Readonly<Record<string, string>> = {
  '0': '\0',
  b: '\b',
  n: '\n',
  r: '\r',
  t: '\t',
  Z: '\x1a',
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'
const isWordStart = (c: string) => /[A-Za-z_]/.test(c)
const isWordPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c)

export function tokenize(query: string): Token[] {
  // Positions count code points, as people read them, not UTF-16 units.
  const chars = [...query]
  const tokens: Token[] = []
  let i = 0
  const at = () => i + 1
  while (i < chars.length) {
    const c = chars[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    const pos = at()
    if (c === "'" || c === '"') {
      i++
      let text = ''
      for (;;) {
        const d = chars[i]
        if (d === undefined) throw new QueryError('unterminated string literal', pos)
        if (d === c) {
          if (chars[i + 1] === c) {
            text += c
            i += 2
            continue
          }
          i++
          break
        }
        if (d === '\\') {
          const e = chars[i + 1]
          if (e === undefined) throw new QueryError('unterminated string literal', pos)
          text += backslashEscapes[e] ?? e
          i += 2
          continue
        }
        text += d
        i++
      }
      tokens.push({ kind: 'string', text, pos })
    } else if (c === '`') {
      const end = chars.indexOf('`', i + 1)
      if (end < 0) throw new QueryError('unterminated quoted name', pos)
      const text = chars.slice(i + 1, end).join('')
      if (text === '') throw new QueryError('empty quoted name', pos)
      tokens.push({ kind: 'quotedName', text, pos })
      i = end + 1
    } else if (isDigit(c) || ((c === '-' || c === '.') && isNumberAhead(chars, i))) {
      const match = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(chars.slice(i, i + 400).join(''))!
      tokens.push({ kind: 'number', text: match[0], pos })
      i += match[0].length
      if (isWordPart(chars[i]))
        throw new QueryError(`unexpected '${chars[i]}' after a number`, at())
    } else if (isWordStart(c)) {
      let end = i + 1
      while (isWordPart(chars[end])) end++
      tokens.push({ kind: 'word', text: chars.slice(i, end).join(''), pos })
      i = end
    } else if ('()'.includes(c) || c === ',') {
      tokens.push({ kind: c as '(' | ')' | ',', pos })
      i++
    } else if ('=<>!'.includes(c)) {
      const two = c + (chars[i + 1] ?? '')
      if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'op', text: two, pos })
        i += 2
      } else if (c === '!') {
        throw new QueryError("unexpected '!'", pos)
      } else {
        tokens.push({ kind: 'op', text: c as '=' | '<' | '>', pos })
        i++
      }
    } else {
      throw new QueryError(`unexpected character '${c}'`, pos)
    }
  }
  tokens.push({ kind: 'end', pos: chars.length + 1 })
  return tokens
}

function isNumberAhead(chars: string[], i: number): boolean {
  const next = chars[i + 1]
  if (chars[i] === '.') return isDigit(next)
  return isDigit(next) || (next === '.' && isDigit(chars[i + 2]))
}
