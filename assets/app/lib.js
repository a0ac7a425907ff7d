// The one import of the vendored UI library (htm + Preact 10 + hooks); see vendor/VENDOR.md.
export { html, render, useState, useEffect, useLayoutEffect, useRef, useCallback, useMemo } from '../vendor/preact-htm-3.1.1.mjs';
