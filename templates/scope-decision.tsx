/**
 * The part the consent page and the device approval page share: who is signed in, the scopes asked for,
 * and one POST form with a hidden CSRF token, the hidden field that names the pending request, and two
 * submit buttons named `decision` (`approve`, `deny`), the stable contract of scripted user agents.
 */

export interface ScopeDecisionProps {
  /** The signed-in user, so they can tell which account is deciding. */
  username: string;
  /** Who asks: "application", "device". */
  requester: string;
  scopes: { name: string; description: string }[];
  /** Where the form posts. */
  action: string;
  csrfToken: string;
  /** The hidden field naming the pending request (`request_id`, `user_code`). */
  pending: { name: string; value: string };
}

export function ScopeDecision(props: ScopeDecisionProps) {
  return (
    <>
      <p>
        Signed in as <strong>{props.username}</strong>. The {props.requester} asks to:
      </p>
      <ul class="scopes">
        {props.scopes.map((scope) => (
          <li>
            {scope.description} <code class="muted">{scope.name}</code>
          </li>
        ))}
      </ul>
      <form method="post" action={props.action}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <input type="hidden" name={props.pending.name} value={props.pending.value} />
        <div class="actions">
          <button type="submit" name="decision" value="approve">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </div>
      </form>
    </>
  );
}
