// The page's CSP nonce, handed over by the server in <meta name="csp-nonce"> (electron/server/csp.ts).
// Give it to everything that inserts <style> tags: antd (ConfigProvider csp), AG Grid (styleNonce).
export const cspNonce: string | undefined =
  document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content || undefined;

/**
 * Some library code inserts <style> elements without asking for the nonce (rc-util's scrollbar measurement in every
 * antd Table; the empty <style> inside the LoginOutlined/RestOutlined icons), which the CSP refuses with a console
 * error. Stamp the nonce on style elements our own scripts insert. This adds nothing for an attacker: scripts are
 * limited to 'self', and markup injected as HTML (innerHTML) does not pass through these methods.
 */
export function stampNonceOnInsertedStyles(): void {
  const nonce = cspNonce;
  if (!nonce) return;
  const stamp = (node: Node) => {
    if ((node instanceof HTMLStyleElement || node instanceof SVGStyleElement) && !node.nonce) node.nonce = nonce;
  };
  const append = Node.prototype.appendChild;
  const insert = Node.prototype.insertBefore;
  Node.prototype.appendChild = function <T extends Node>(this: Node, node: T): T {
    stamp(node);
    return append.call(this, node) as T;
  };
  Node.prototype.insertBefore = function <T extends Node>(this: Node, node: T, child: Node | null): T {
    stamp(node);
    return insert.call(this, node, child) as T;
  };
}
