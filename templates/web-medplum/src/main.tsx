import { MantineProvider } from '@mantine/core';
import '@mantine/core/styles.css';
import { Notifications } from '@mantine/notifications';
import '@mantine/notifications/styles.css';
import { MedplumProvider } from '@medplum/react';
import '@medplum/react/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { medplum } from './medplum.ts';
import { redeemReturnCode } from './redeemReturnCode.ts';

// Once per page load, before React: StrictMode runs effects twice, and a code is good only once.
redeemReturnCode(medplum, window);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <MedplumProvider medplum={medplum}>
      <MantineProvider>
        <Notifications />
        <App />
      </MantineProvider>
    </MedplumProvider>
  </StrictMode>
);
