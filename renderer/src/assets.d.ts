// Asset imports Vite bundles (CSS side-effect imports).
declare module '*.css';
