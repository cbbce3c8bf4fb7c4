import { Flags } from '@oclif/core';
import { ExitCode, LockreplayError } from '../errors.js';
import { CSV_PRESETS, type CsvMapping, type OffsetUnit, parseColumns, type TsUnit } from '../import/csv.js';
import { INPUT_FORMATS, type ImportOptions } from '../import/index.js';

/** How to read the input: shared by import, replay and compare. */
export const inputFlags = {
  format: Flags.string({ description: 'input format (auto detects it from the first lines)', options: [...INPUT_FORMATS], default: 'auto' }),
  preset: Flags.string({ description: `CSV preset: ${Object.keys(CSV_PRESETS).join(', ')}`, options: Object.keys(CSV_PRESETS) }),
  columns: Flags.string({ description: 'CSV column mapping, e.g. ts=0,op=3,offset=4,length=5,file=2[,response=6] (implies --format csv)' }),
  'ts-unit': Flags.string({ description: 'CSV time unit', options: ['ns', 'us', 'ms', 's', 'filetime'], default: 'us' }),
  'offset-unit': Flags.string({ description: 'CSV offset unit', options: ['bytes', 'sectors'], default: 'bytes' }),
  'length-unit': Flags.string({ description: 'CSV length unit (default: as --offset-unit)', options: ['bytes', 'sectors'] }),
  'read-values': Flags.string({ description: 'CSV op values meaning read, comma-separated', default: 'R,Read,r,read' }),
  'write-values': Flags.string({ description: 'CSV op values meaning write, comma-separated (default: anything else is a write)' }),
  delimiter: Flags.string({ description: 'CSV delimiter (" " for space-separated)', default: ',' }),
  header: Flags.boolean({ description: 'CSV: the first row is a header' }),
  lenient: Flags.boolean({ description: 'count bad input lines and go on, instead of stopping at the first' }),
};

export function inputOptionsFrom(flags: {
  format: string; preset?: string; columns?: string; 'ts-unit': string; 'offset-unit': string; 'length-unit'?: string;
  'read-values': string; 'write-values'?: string; delimiter: string; header?: boolean; lenient?: boolean;
}): Pick<ImportOptions, 'format' | 'csvPreset' | 'csvMapping' | 'lenient'> {
  const o: Pick<ImportOptions, 'format' | 'csvPreset' | 'csvMapping' | 'lenient'> = { format: flags.format as ImportOptions['format'], lenient: flags.lenient ?? false };
  if (flags.preset !== undefined) {
    o.csvPreset = flags.preset;
    if (o.format === 'auto') o.format = 'csv';
  }
  if (flags.columns !== undefined) {
    if (o.format !== 'auto' && o.format !== 'csv') throw new LockreplayError('--columns goes with --format csv', ExitCode.usage);
    o.format = 'csv';
    const split = (v: string): string[] => v.split(',').map((x) => x.trim()).filter((x) => x !== '');
    const mapping: CsvMapping = {
      columns: parseColumns(flags.columns),
      tsUnit: flags['ts-unit'] as TsUnit,
      offsetUnit: flags['offset-unit'] as OffsetUnit,
      lengthUnit: (flags['length-unit'] ?? flags['offset-unit']) as OffsetUnit,
      readValues: split(flags['read-values']),
      writeValues: flags['write-values'] === undefined ? [] : split(flags['write-values']),
      delimiter: flags.delimiter === '\\t' ? '\t' : flags.delimiter,
      header: flags.header ?? false,
    };
    o.csvMapping = mapping;
  }
  return o;
}
