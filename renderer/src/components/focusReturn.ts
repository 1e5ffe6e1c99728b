// Where the focus goes when a drawer closes. antd gives it back to the element that had it before the drawer opened —
// but only when the closing animation ends, ~0.3 s later, and even when the person has moved on meanwhile: a clerk who
// pressed Esc and at once '/' and a name had the focus taken from the search box back to the grid row, so their Enter
// opened the person they had just closed. Here it is given back only if nothing else has taken it since (the focus is
// on the page body, or still inside the closing drawer).
import { useLayoutEffect, useMemo, useRef } from 'react';

export interface FocusReturnProps {
  focusable: { focusTriggerAfterClose: false };
  afterOpenChange: (open: boolean) => void;
}

export function useFocusReturn(open: boolean): FocusReturnProps {
  const before = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (open && !before.current) before.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  }, [open]);
  return useMemo(
    () => ({
      focusable: { focusTriggerAfterClose: false },
      afterOpenChange: (nowOpen: boolean) => {
        if (nowOpen) return;
        const el = before.current;
        before.current = null;
        const active = document.activeElement;
        const lost = !active || active === document.body || !!active.closest('.ant-drawer');
        if (el && el.isConnected && lost) el.focus({ preventScroll: true });
      },
    }),
    [],
  );
}
