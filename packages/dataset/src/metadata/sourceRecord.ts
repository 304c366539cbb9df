/** The public datasets (and a plain per-class folder) that the readers understand. */
export type SourceKind = 'covid-chestxray' | 'nih-cxr14' | 'rsna-pneumonia' | 'covidx' | 'chexpert' | 'folder';

/** Every {@link SourceKind}, in the order the CLI lists them. */
export const SOURCE_KINDS: readonly SourceKind[] = ['covid-chestxray', 'nih-cxr14', 'rsna-pneumonia', 'covidx', 'chexpert', 'folder'];

/** The folder layout each {@link SourceKind} expects, as `cxr dataset build --help` lists it. */
export const SOURCE_LAYOUTS: Readonly<Record<SourceKind, string>> = {
  'covid-chestxray': 'metadata.csv (ieee8023/covid-chestxray-dataset columns) and images/<filename>',
  'nih-cxr14': 'Data_Entry_2017*.csv(.gz) (NIH ChestX-ray14) and images/<Image Index>',
  'rsna-pneumonia': 'stage_2_train_labels.csv and stage_2_train_images/<patientId>.dcm (DICOM headers give view, sex, age)',
  covidx: 'COVID-Net split files train_*.txt / test_*.txt ("<patient id> <file name> <label> <data source>" per line), images in train/ and test/',
  chexpert: 'train.csv (Path, Sex, Age, Frontal/Lateral, AP/PA, the 14 observations 1/0/-1/blank) and the images under Path, without its first segment; uncertain labels dropped unless the spec says chexpert:positive= or chexpert:negative=',
  folder: 'one sub-folder per class (covid/, normal/, or any name = the finding) of PNG, JPEG or DICOM files',
};

/** Patient sex as the sources record it, normalised: `M`, `F`, or `null` when blank or anything else. */
export type Sex = 'M' | 'F' | null;

/**
 * One image listed by a source's metadata, normalised across sources. Readers yield these one at a time
 * (`AsyncIterable<SourceRecord>`), so a 112,120-row source never sits in memory.
 */
export interface SourceRecord {
  /** Absolute path of the image, resolved inside the source folder (never outside it). */
  imagePath: string;
  /**
   * The finding as the source writes it: `COVID-19`, `Pneumonia/Viral/COVID-19` (a hierarchy),
   * `COVID-19, ARDS`, `Cardiomegaly|Effusion`, `No Finding`.
   */
  finding: string;
  /** The finding split into its labels, each possibly a `/`-separated hierarchy (see `findingLabels`). */
  labels: string[];
  /** Patient identifier as the source writes it (a number for NIH, a UUID for RSNA). */
  patientId: string;
  /** View position: `PA`, `AP`, `AP Supine`, `L`...; empty string when unknown. */
  view: string;
  sex: Sex;
  /** Age in years, or `null` when unknown. */
  age: number | null;
  /** `X-ray` (CR, DX and DR are normalised to it), `CT`, or the source's own word. */
  modality: string;
  source: SourceKind;
  /** For sources that gather other collections (COVIDx): the collection the row came from (`cohen`, `rsna`...). */
  collection?: string;
  /** The image's path as written in the metadata (e.g. `images/a.png` or `a.png`). */
  originalPath: string;
  /** 1-based line number of the record in its metadata file (of its first line for multi-line CSV records). */
  row: number;
}

/** A metadata row a reader refused (e.g. an unsafe file name) instead of yielding it. */
export interface SourceIssue {
  source: SourceKind;
  /** Metadata file and line of the refused row. */
  file: string;
  row: number;
  /** The offending path as written in the metadata. */
  originalPath: string;
  /** Short machine-readable reason, e.g. `unsafe-path`. */
  reason: string;
  /** The one-line message of the typed error. */
  message: string;
}

/** Options every reader accepts. */
export interface ReaderOptions {
  /**
   * Receives each refused row (an unsafe path) so that the caller can record it and go on. Without it the
   * reader throws the typed error (e.g. `UnsafePathError`) instead.
   */
  onIssue?: (issue: SourceIssue) => void;
}
