import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';

/** Root fields that check a password or a refresh credential: each costs an attempt. */
export const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set(['register', 'login', 'refresh', 'changePassword']);

/**
 * Aliases and fragments must not multiply attempts: `mutation { a: login(…) b: login(…) }`
 * would otherwise run one password check per alias inside one request, past any per-request
 * accounting. An operation may contain at most one credential-checking root field, counted
 * through fragments and regardless of @skip/@include, so a refused document runs none.
 */
export function oneCredentialCheckRule(context: ValidationContext): ASTVisitor {
  // Memoised per fragment: a chain of fragments each spread twice must not cost 2^n here.
  const perFragment = new Map<string, number>();
  const countIn = (selectionSet: SelectionSetNode): number =>
    selectionSet.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.FIELD) return sum + (CREDENTIAL_FIELDS.has(selection.name.value) ? 1 : 0);
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + countIn(selection.selectionSet);
      return sum + countFragment(selection.name.value);
    }, 0);
  const countFragment = (name: string): number => {
    const known = perFragment.get(name);
    if (known !== undefined) return known;
    const fragment = context.getFragment(name);
    // 0 while in progress: a cycle is refused by graphql's own NoFragmentCycles rule.
    perFragment.set(name, 0);
    const count = fragment ? countIn(fragment.selectionSet) : 0;
    perFragment.set(name, count);
    return count;
  };

  return {
    OperationDefinition(node) {
      if (node.operation !== 'mutation') return;
      // A fragment spread twice runs twice, so spreads count each time they appear.
      const count = countIn(node.selectionSet);
      if (count > 1) {
        context.reportError(
          new GraphQLError(`At most one of ${[...CREDENTIAL_FIELDS].join(', ')} per operation (found ${count})`, {
            nodes: [node],
            extensions: { code: 'BAD_USER_INPUT' },
          }),
        );
      }
    },
  };
}
