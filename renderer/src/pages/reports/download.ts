// Saving a file the main process handed over as base64: a Blob link the browser downloads (browser mode and the
// desktop window alike). The desktop app may also offer 打开所在文件夹 when its shell channel exists.
import { api } from '../../api.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The type of an export by its name: notices are Word documents, reports Excel workbooks. */
export const mimeOf = (fileName: string) => (/\.docx$/i.test(fileName) ? DOCX : XLSX);

/** Starts the download of `fileName` with the given bytes (base64). */
export function saveBase64(fileName: string, dataBase64: string, mime = XLSX): void {
  const bin = atob(dataBase64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser time to start reading the Blob before it is released.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Fetches a file of the export folder (reports.download) and saves it; returns its name. */
export async function downloadExport(path: string): Promise<string> {
  const f = await api('reports.download', { path });
  saveBase64(f.fileName, f.dataBase64, mimeOf(f.fileName));
  return f.fileName;
}

/** True inside the Electron window (the preload's window.api), false in browser mode. */
export function isDesktop(): boolean {
  return typeof window !== 'undefined' && !!window.api;
}

/** 打开所在文件夹: only the desktop app has a file manager to show the file in. */
export function showInFolderFn(): ((path: string) => Promise<void>) | null {
  if (!isDesktop()) return null;
  return async (path: string) => {
    await api('reports.showInFolder', { path });
  };
}

/** Base64 of a picked file (for import.upload). */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const s = String(r.result ?? '');
      resolve(s.slice(s.indexOf(',') + 1));
    };
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}
