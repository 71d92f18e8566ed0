import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Fixed ports, because Medplum only redirects back to URLs listed in the ClientApplication's
// Redirect URIs, matched exactly: http://localhost:5173/ (dev) and http://localhost:4173/ (preview).
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: true },
});
