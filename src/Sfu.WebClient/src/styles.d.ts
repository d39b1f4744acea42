// esbuild bundles imported style sheets into the page's .css next to its .js.
declare module '*.css';
