// The bare side of the import bench's whole-process comparison: a Node process that only loads the workbook with
// exceljs (the library's start-up included), as the command-line import is timed from its start to its exit.
// Run: node test/bench/exceljs-load.ts FILE
import fs from 'node:fs';
import ExcelJS from 'exceljs';

const wb = new ExcelJS.Workbook();
await wb.xlsx.load(fs.readFileSync(process.argv[2]) as unknown as ArrayBuffer);
console.log(wb.worksheets[0].actualRowCount);
