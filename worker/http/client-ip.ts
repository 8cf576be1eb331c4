/** The client address: CF-Connecting-IP (set by Cloudflare's edge), 127.0.0.1 when run locally without it. */
export function clientIp(request: Request): string {
  return request.headers.get('cf-connecting-ip')?.trim() || '127.0.0.1';
}
