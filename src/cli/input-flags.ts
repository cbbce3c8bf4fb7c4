import { Flags } from '@oclif/core';
import { ExitCode, LockreplayError } from '../errors.js';
import { CSV_PRESETS, type CsvMapping, type OffsetUnit, parseColumns, type TsUnit } from '../import/csv.js';
import { INPUT_FORMATS, type ImportOptions } from '../import/index.js';

const DEFAULT_READ_VALUES = 'R,Read,r,read';

/** the flags that say how --columns reads a CSV: a preset (named or detected) fixes them itself */
const MAPPING_FLAGS = ['ts-unit', 'offset-unit', 'length-unit', 'read-values', 'write-values', 'delimiter', 'header'] as const;

/** How to read the input: shared by import, replay and compare. */
export const inputFlags = {
  format: Flags.string({ description: 'input format (auto detects it from the first lines)', options: [...INPUT_FORMATS], default: 'auto' }),
  preset: Flags.string({ description: `CSV preset: ${Object.keys(CSV_PRESETS).join(', ')}`, options: Object.keys(CSV_PRESETS) }),
  columns: Flags.string({ description: 'CSV column mapping, e.g. ts=0,op=3,offset=4,length=5,file=2[,response=6] (implies --format csv)' }),
  'ts-unit': Flags.string({ description: 'CSV time unit, with --columns (default: us)', options: ['ns', 'us', 'ms', 's', 'filetime'] }),
  'offset-unit': Flags.string({ description: 'CSV offset unit, with --columns (default: bytes)', options: ['bytes', 'sectors'] }),
  'length-unit': Flags.string({ description: 'CSV length unit, with --columns (default: as --offset-unit)', options: ['bytes', 'sectors'] }),
  'read-values': Flags.string({ description: `CSV op values meaning read, comma-separated, with --columns (default: ${DEFAULT_READ_VALUES})` }),
  'write-values': Flags.string({ description: 'CSV op values meaning write, comma-separated, with --columns (default: anything else is a write)' }),
  delimiter: Flags.string({ description: 'CSV delimiter, with --columns: one character, not a quote or a line break ("\\t" for a tab, " " for space-separated; default: ,)' }),
  header: Flags.boolean({ description: 'CSV, with --columns: the first row is a header' }),
  lenient: Flags.boolean({ description: 'count bad input lines and go on, instead of stopping at the first' }),
};

export function inputOptionsFrom(flags: {
  format: string; preset?: string; columns?: string; 'ts-unit'?: string; 'offset-unit'?: string; 'length-unit'?: string;
  'read-values'?: string; 'write-values'?: string; delimiter?: string; header?: boolean; lenient?: boolean;
}): Pick<ImportOptions, 'format' | 'csvPreset' | 'csvMapping' | 'lenient'> {
  const o: Pick<ImportOptions, 'format' | 'csvPreset' | 'csvMapping' | 'lenient'> = { format: flags.format as ImportOptions['format'], lenient: flags.lenient ?? false };
  // a flag that would be silently ignored is refused: a preset fixes the columns, units, op values,
  // delimiter and header of its dataset, and without --columns there is no mapping for them to set
  const given = MAPPING_FLAGS.filter((f) => flags[f] !== undefined && flags[f] !== false);
  if (flags.preset !== undefined) {
    if (flags.columns !== undefined) throw new LockreplayError(`--columns cannot go with --preset ${flags.preset}: the preset fixes the columns (drop --preset to read the CSV with --columns)`, ExitCode.usage);
    if (given.length > 0) throw new LockreplayError(`--${given[0]} cannot go with --preset ${flags.preset}: the preset fixes its dataset's columns, units, op values, delimiter and header (${CSV_PRESETS[flags.preset]?.summary ?? flags.preset}); to read the CSV otherwise, drop --preset and give --columns`, ExitCode.usage);
    o.csvPreset = flags.preset;
    if (o.format === 'auto') o.format = 'csv';
  }
  if (flags.columns === undefined) {
    if (given.length > 0) throw new LockreplayError(`--${given[0]} goes with --columns (it says how --columns reads the CSV; a preset, named or detected, fixes its own)`, ExitCode.usage);
    return o;
  }
  if (o.format !== 'auto' && o.format !== 'csv') throw new LockreplayError('--columns goes with --format csv', ExitCode.usage);
  o.format = 'csv';
  const split = (name: string, v: string): string[] => {
    const values = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (values.length === 0) throw new LockreplayError(`--${name} "${v}": names no value (comma-separated op values, e.g. R,Read)`, ExitCode.usage);
    return values;
  };
  const readValues = split('read-values', flags['read-values'] ?? DEFAULT_READ_VALUES);
  const writeValues = flags['write-values'] === undefined ? [] : split('write-values', flags['write-values']);
  // (values are compared case-insensitively)
  const both = writeValues.find((w) => readValues.some((r) => r.toLowerCase() === w.toLowerCase()));
  if (both !== undefined) throw new LockreplayError(`--write-values ${flags['write-values']}: "${both}" is in --read-values too${flags['read-values'] === undefined ? ` (its default, ${DEFAULT_READ_VALUES})` : ''}: an op value is a read or a write, not both (values are compared ignoring case)`, ExitCode.usage);
  const mapping: CsvMapping = {
    columns: parseColumns(flags.columns),
    tsUnit: (flags['ts-unit'] ?? 'us') as TsUnit,
    offsetUnit: (flags['offset-unit'] ?? 'bytes') as OffsetUnit,
    lengthUnit: (flags['length-unit'] ?? flags['offset-unit'] ?? 'bytes') as OffsetUnit,
    readValues,
    writeValues,
    delimiter: delimiterFrom(flags.delimiter ?? ','),
    header: flags.header ?? false,
  };
  o.csvMapping = mapping;
  return o;
}

/** --delimiter: one character that can separate fields ("\t" for a tab) */
function delimiterFrom(flag: string): string {
  const d = flag === '\\t' ? '\t' : flag;
  const why = d === '' ? 'is empty'
    : [...d].length !== 1 ? 'is more than one character'
    : d === '"' ? 'is the quote character, which csv-parse reads as the start of a quoted field'
    : d === '\n' || d === '\r' ? 'is a line break, which ends a row'
    : undefined;
  if (why !== undefined) throw new LockreplayError(`--delimiter ${JSON.stringify(flag)}: ${why}; give one character, not a quote or a line break (e.g. ",", ";", "\\t" for a tab, " " for space-separated)`, ExitCode.usage);
  return d;
}
