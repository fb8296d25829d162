import { createContext, useContext } from 'react';
import type { Api } from '../api/client.ts';
import type { Catalog } from '../api/operations.ts';

export interface AppContext {
  api: Api;
  /** Where the key came from: the launcher's demo key, or one the user entered. */
  keySource: 'demo' | 'user';
  temporalUiUrl?: string;
  catalog?: Catalog;
  changeKey(): void;
}

export const AppContextValue = createContext<AppContext | undefined>(undefined);

export function useApp(): AppContext {
  const value = useContext(AppContextValue);
  if (!value) throw new Error('useApp outside the app');
  return value;
}
