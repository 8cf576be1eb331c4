/**
 * The part the consent page and the device approval page share: who is signed in, the scopes asked for
 * (administration said plainly), whether the client registered itself, and one POST form with a hidden
 * CSRF token, the hidden field that names the pending request, and two submit buttons named `decision`
 * (`approve`, `deny`), the stable contract of scripted user agents.
 */

/** Said of a client that registered itself, so the user does not take it for one the operator added. */
export const SELF_REGISTERED_NOTICE = 'This app registered itself; it was not added by an administrator.';

export interface ScopeDecisionProps {
  /** The signed-in user, so they can tell which account is deciding. */
  username: string;
  /** Who asks: "application", "device". */
  requester: string;
  /** The scopes asked for, each with what it means (the scope registry's `describe`). */
  scopes: { name: string; description: string }[];
  /** The client registered itself (open registration or a metadata document), not an administrator. */
  selfRegistered: boolean;
  /** Where the form posts. */
  action: string;
  csrfToken: string;
  /** The hidden field naming the pending request (`request_id`, `user_code`). */
  pending: { name: string; value: string };
}

/** What a page asking for the decision gets from its route for the form (the page adds who asks and what is pending). */
export type ScopeDecisionRequest = Omit<ScopeDecisionProps, 'requester' | 'pending'>;

export function ScopeDecision(props: ScopeDecisionProps) {
  const administers = props.scopes.some((scope) => scope.name === 'admin');
  return (
    <>
      {props.selfRegistered && (
        <p class={administers ? 'alert' : 'muted'} role={administers ? 'alert' : undefined}>
          {SELF_REGISTERED_NOTICE}
        </p>
      )}
      <p>
        Signed in as <strong>{props.username}</strong>. The {props.requester} asks to:
      </p>
      <ul class="scopes">
        {props.scopes.map((scope) => (
          <li>
            {scope.name === 'admin' ? <strong>{scope.description}</strong> : scope.description}{' '}
            <code class="muted">{scope.name}</code>
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
