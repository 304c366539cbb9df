import { DatasetError } from '@cxr/dataset';
import { ModelError } from '@cxr/model';
import { PreprocessError } from '@cxr/preprocess';
import { WebAppError } from './errors';

/**
 * The one line the page shows for an error: the message of the project's typed errors as is (they name the
 * file and the problem), anything else marked as unexpected so that it is reported rather than trusted.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof WebAppError || error instanceof DatasetError || error instanceof PreprocessError || error instanceof ModelError) {
    return error.message;
  }
  const text = error instanceof Error ? error.message : String(error);
  return `Unexpected error: ${text}`;
}
