/** Light and dark themes: the system's choice (prefers-color-scheme) unless the user picked one. */
import { useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'ensuresec.theme';

function stored(): ThemeChoice {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function useTheme(): [ThemeChoice, () => void] {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  useEffect(() => {
    if (choice === 'system') {
      document.documentElement.removeAttribute('data-theme');
      localStorage.removeItem(KEY);
    } else {
      document.documentElement.setAttribute('data-theme', choice);
      localStorage.setItem(KEY, choice);
    }
  }, [choice]);
  const next = () =>
    setChoice((value) => (value === 'system' ? 'dark' : value === 'dark' ? 'light' : 'system'));
  return [choice, next];
}
