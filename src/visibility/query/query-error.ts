import { InvalidArgumentError } from '../../common/errors.js'

/**
 * A query the language does not allow, naming the problem and the 1-based character position it
 * was found at. Sent to clients as InvalidArgument.
 */
export class QueryError extends InvalidArgumentError {
  constructor(
    readonly problem: string,
    readonly position: number,
  ) {
    super(`invalid query: ${problem} at position ${position}`)
  }
}
