// Which generated pages differ from what is on disk: changed, missing, or left over in the
// reference folder with no generator behind them. Pure: the caller reads the files.

export interface StaleFile {
  file: string;
  why: 'changed' | 'missing' | 'not generated';
}

export function staleFiles(generated: ReadonlyMap<string, string>, onDisk: ReadonlyMap<string, string>): StaleFile[] {
  const out: StaleFile[] = [];
  for (const [file, text] of generated) {
    const current = onDisk.get(file);
    if (current === undefined) out.push({ file, why: 'missing' });
    else if (current !== text) out.push({ file, why: 'changed' });
  }
  for (const file of onDisk.keys()) if (!generated.has(file)) out.push({ file, why: 'not generated' });
  return out.sort((a, b) => a.file.localeCompare(b.file));
}
