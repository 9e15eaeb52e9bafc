/**
 * DataMissingError: a dataset's files are not where the readers look. The message names the place
 * looked at and the exact command that installs the data.
 */

/** Thrown when a dataset is not installed; `command` fetches it. */
export class DataMissingError extends Error {
  constructor(
    readonly dataset: string,
    readonly where: string,
    readonly command: string,
  ) {
    super(`${dataset} not found at ${where}; run: ${command}`);
    this.name = 'DataMissingError';
  }
}

/** The fetch command for the given dataset names. */
export function fetchCommand(...names: string[]): string {
  return `npm run fetch-data -- ${names.join(' ')}`;
}
