import './src/polyfills.ts';
import { registerRootComponent } from 'expo';
import { maybeCompleteAuthSession } from 'expo-web-browser';
import { App } from './src/App.tsx';

// On the web, a sign-in page opens in a popup that comes back to this app: this hands the popup's
// address to the window that opened it, which closes the popup. On a phone it does nothing.
maybeCompleteAuthSession();
registerRootComponent(App);
