/**
 * The PostgreSQL form of text-match.ts, for the PostgreSQL store's migration to create: the SQL
 * from to-sql.ts calls it for `=` and `!=` on Text attributes, as the SQLite store calls the JS
 * function it registers. Text and query are cut into lower-cased words of letters and digits; the
 * query matches when it has a word and every one of its words is a word of the text.
 *
 * The words are those of the builtin collation `pg_unicode_fast` (PostgreSQL 18) when the server
 * has it, named so the function means the same whatever the database's locale and whatever
 * collation its argument carries (under "C", lower() and [[:alnum:]] know only ASCII). Its lower() is JS's toLowerCase:
 * full case mapping, final sigma included. Its [[:alnum:]] is Unicode's Alphabetic property and
 * decimal digits, where text-match.ts takes letters and numbers (\p{L}\p{N}): the two agree on
 * the letters and digits of every script, and differ on other numbers (superscripts, fractions:
 * word characters only in JS) and on the marks and symbols Unicode counts as Alphabetic (Indic
 * vowel signs, circled letters: only here). PostgreSQL 17's `pg_c_utf8` would also do, with
 * simple case mapping (no final sigma) and only 0-9 as digits.
 *
 * STRICT makes a run without the attribute (a NULL value) NULL, so `NOT sundial_text_match(...)`
 * does not match it either, as in SQLite. No `?` anywhere: the store's placeholder numbering
 * must not see one.
 */
import { TEXT_MATCH_FUNCTION } from './to-sql.js'

/**
 * The collation the words are cut under, the best the server has: `pg_unicode_fast`
 * (PostgreSQL 18), else `pg_c_utf8` (17), else the database's default (14 to 16, where the
 * database's locale decides; a UTF-8 locale such as en_US.UTF-8 or C.UTF-8 gives Unicode words).
 */
const pickCollation = `CASE
    WHEN EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'pg_unicode_fast') THEN 'pg_unicode_fast'
    WHEN EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'pg_c_utf8') THEN 'pg_c_utf8'
    ELSE 'default' END`

const words = (arg: string): string =>
  `ARRAY(SELECT w[1] FROM regexp_matches(lower(${arg} COLLATE %1$I), '[[:alnum:]]+', 'g') AS m(w))`

/** A DO block that creates the function under the collation it picks (the RETURN form: 14+). */
export const POSTGRES_TEXT_MATCH_FUNCTION_SQL = `DO $do$
BEGIN
  EXECUTE format($fn$CREATE OR REPLACE FUNCTION ${TEXT_MATCH_FUNCTION}(value text, query text)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (
  SELECT cardinality(q.words) > 0 AND q.words <@ t.words
  FROM (SELECT ${words('query')} AS words) AS q,
    (SELECT ${words('value')} AS words) AS t
)$fn$, ${pickCollation});
END
$do$`
