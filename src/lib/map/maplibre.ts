// maplibre-gl with its worker served from the app's own origin (no blob: or CDN worker). Browser only:
// import it dynamically from onMount.
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

maplibregl.setWorkerUrl(workerUrl);

export { maplibregl };
