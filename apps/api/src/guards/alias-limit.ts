import {
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

/**
 * Every alias of an operation counts, `__typename` ones included (graphql-armor's rule exempted those, so
 * 10,000 aliased `__typename` passed), and a fragment counts once per spread: a fragment of 10 aliases
 * spread 10 times is 100. Counts are memoised per fragment, so a fragment bomb costs one walk of each.
 */
export function aliasLimitRule(max: number): ValidationRule {
  return (context) => {
    const perFragment = new Map<string, number>();
    const fragments = new Map<string, FragmentDefinitionNode>(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );

    const fragmentAliases = (name: string): number => {
      const known = perFragment.get(name);
      if (known !== undefined) return known;
      // A cycle (reported by graphql's NoFragmentCyclesRule) counts as nothing while it is walked.
      perFragment.set(name, 0);
      const fragment = fragments.get(name);
      const count = fragment ? aliasesIn(fragment.selectionSet) : 0;
      perFragment.set(name, count);
      return count;
    };

    const aliasesOf = (selection: SelectionNode): number => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) return fragmentAliases(selection.name.value);
      const own = selection.kind === Kind.FIELD && selection.alias ? 1 : 0;
      return own + (selection.selectionSet ? aliasesIn(selection.selectionSet) : 0);
    };
    const aliasesIn = (selectionSet: SelectionSetNode): number =>
      selectionSet.selections.reduce((sum, selection) => sum + aliasesOf(selection), 0);

    return {
      OperationDefinition(node) {
        const count = aliasesIn(node.selectionSet);
        if (count <= max) return;
        context.reportError(
          new GraphQLError(`Aliases limit of ${max} exceeded, found ${count}.`, {
            nodes: [node],
            extensions: { limit: max, found: count },
          }),
        );
      },
    };
  };
}
