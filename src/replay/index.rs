//! The scope index: which policies can apply to a request, and the cached slices Cedar
//! evaluates instead of the whole set.
//!
//! A [`ScopeIndex`] owns a catalog of policies (one or two sides, a policy identical on both
//! sides kept once), the interned entity uids and types their scopes name, the buckets that
//! find a request's candidates, and a cache of built [`PolicySet`]s keyed by the sorted
//! catalog indices of a slice. It never changes after it is built, except for the cache,
//! which is shared by every thread that evaluates through the index.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, PoisonError, RwLock};

use cedar_policy::{
    ActionConstraint, Authorizer, Entities, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet,
    PrincipalConstraint, Request, ResourceConstraint, Template,
};

use super::{Outcome, OutcomePair, ReplayError};

/// Side bits of a catalog entry.
const BASELINE: u8 = 0b01;
const CANDIDATE: u8 = 0b10;
const BOTH: u8 = BASELINE | CANDIDATE;

/// Distinct slices kept. Replay traffic repeats a few thousand shapes; past this bound a
/// slice is built for its request and dropped, so memory stays flat on adversarial input.
const MAX_CACHED_SLICES: usize = 1 << 16;

/// The multiply-rotate hash rustc uses (FxHash). Interning hashes a few uids per request, and
/// SipHash made that cost as much as Cedar's evaluation of a small slice. The maps' keys
/// come from the policies, so crafted request uids can only collide with a fixed set.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(head) = word.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits, which pick the bucket, depending only on the
        // low bits of the last word (for strings, the same `0xff` terminator): rotate the
        // well-mixed high bits down, as rustc-hash 2 does.
        self.0.rotate_left(26)
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A principal or resource scope, with uids and types interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Any,
    Eq(u32),
    In(u32),
    Is(u32),
    IsIn(u32, u32),
}

/// An action scope, with uids interned; an `in [..]` list is a range of
/// [`Buckets::action_lists`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionScope {
    Any,
    Eq(u32),
    In { start: u32, len: u32 },
}

/// One policy of the catalog.
#[derive(Debug)]
struct Entry {
    policy: Policy,
    /// The template of a template-linked policy: a slice holds the template plus `link()`,
    /// since Cedar adds only static policies with `add`.
    template: Option<Template>,
    sides: u8,
}

/// A catalog entry's scopes as a bucket holds them: a bucket is scanned in order and
/// every record checked on all three scopes, so the records sit in the bucket itself
/// rather than behind the entry (at 5,000 policies, chasing entries was most of the cost).
#[derive(Debug, Clone, Copy)]
struct Filed {
    at: u32,
    principal: Scope,
    action: ActionScope,
    resource: Scope,
}

/// Where each entry is filed: under one key (an `action in [..]` list under each of its
/// actions).
#[derive(Debug, Default)]
struct Buckets {
    /// By the uid a principal scope names (`==`, `in`, `is … in`), indexed by uid id.
    principal_uid: Vec<Vec<Filed>>,
    resource_uid: Vec<Vec<Filed>>,
    action_uid: Vec<Vec<Filed>>,
    /// By the type of a principal `is` scope, indexed by type id.
    principal_type: Vec<Vec<Filed>>,
    resource_type: Vec<Vec<Filed>>,
    /// Unconstrained on all three: in every slice.
    always: Vec<Filed>,
    /// The uids of every `action in [..]` list, one after another.
    action_lists: Vec<u32>,
}

/// A request entity as the index sees it: its own uid and type (when a scope names them)
/// kept apart from its ancestors (those a scope names).
#[derive(Debug, Default)]
struct Probe {
    uid: Option<u32>,
    ty: Option<u32>,
    ancestors: Vec<u32>,
}

impl Probe {
    fn is_or_in(&self, uid: u32) -> bool {
        self.uid == Some(uid) || self.ancestors.contains(&uid)
    }

    fn matches(&self, scope: Scope) -> bool {
        match scope {
            Scope::Any => true,
            Scope::Eq(u) => self.uid == Some(u),
            Scope::In(u) => self.is_or_in(u),
            Scope::Is(t) => self.ty == Some(t),
            Scope::IsIn(t, u) => self.ty == Some(t) && self.is_or_in(u),
        }
    }

    fn matches_action(&self, scope: ActionScope, lists: &[u32]) -> bool {
        match scope {
            ActionScope::Any => true,
            ActionScope::Eq(u) => self.uid == Some(u),
            ActionScope::In { start, len } => lists
                .get(start as usize..(start + len) as usize)
                .is_some_and(|list| list.iter().any(|u| self.is_or_in(*u))),
        }
    }

    /// The uid ids to look up in a uid bucket: the entity and its ancestors.
    fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.uid.into_iter().chain(self.ancestors.iter().copied())
    }
}

/// Policies indexed by scope, for one policy set or a baseline and a candidate.
///
/// Built once from policies that already carry their final ids; evaluation takes `&self` and
/// may run on many threads. See the [module docs](super) for what the index guarantees.
#[derive(Debug)]
pub struct ScopeIndex {
    entries: Vec<Entry>,
    uids: FxMap<EntityUid, u32>,
    types: FxMap<EntityTypeName, u32>,
    buckets: Buckets,
    /// The sides as given, for requests the index cannot slice (an unknown component).
    baseline: Arc<PolicySet>,
    candidate: Arc<PolicySet>,
    slices: RwLock<FxMap<Box<[u32]>, Arc<PolicySet>>>,
    authorizer: Authorizer,
}

impl ScopeIndex {
    /// Indexes one policy set (static policies and template-linked policies; templates are
    /// carried along for their links). [`ScopeIndex::evaluate`] and
    /// [`ScopeIndex::compare`] both evaluate this set.
    pub fn new(set: &PolicySet) -> Result<Self, ReplayError> {
        let shared = Arc::new(set.clone());
        let mut builder = Builder::default();
        for policy in sorted_policies(set) {
            builder.add(policy, set, BOTH)?;
        }
        Ok(builder.finish(Arc::clone(&shared), shared))
    }

    /// Indexes a baseline and a candidate set together. A policy with the same id and the
    /// same text on both sides is one catalog entry, so a request whose slice holds only
    /// such policies is evaluated once for both sides; a policy whose id is on both sides
    /// with different text is side-specific.
    pub fn pair(baseline: &PolicySet, candidate: &PolicySet) -> Result<Self, ReplayError> {
        let mut builder = Builder::default();
        let mut baseline_at: HashMap<&PolicyId, usize> = HashMap::new();
        for policy in sorted_policies(baseline) {
            let at = builder.add(policy, baseline, BASELINE)?;
            baseline_at.insert(policy.id(), at);
        }
        for policy in sorted_policies(candidate) {
            let shared = baseline_at.get(policy.id()).copied().filter(|&at| {
                builder.entries.get(at).is_some_and(|e| {
                    same_policy(&e.policy, policy)
                        && same_template(e.template.as_ref(), template_of(policy, candidate))
                })
            });
            match shared.and_then(|at| builder.entries.get_mut(at)) {
                Some(entry) => entry.sides |= CANDIDATE,
                None => {
                    builder.add(policy, candidate, CANDIDATE)?;
                }
            }
        }
        Ok(builder.finish(Arc::new(baseline.clone()), Arc::new(candidate.clone())))
    }

    /// Distinct policies indexed (a policy shared by both sides counts once).
    pub fn policy_count(&self) -> usize {
        self.entries.len()
    }

    /// Distinct slices built and cached so far.
    pub fn cached_slice_count(&self) -> usize {
        self.slices
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Evaluates `request` against the baseline (the only set of [`ScopeIndex::new`]):
    /// the same decision, reasons and errors as Cedar's `Authorizer` over the whole set.
    pub fn evaluate(&self, request: &Request, entities: &Entities) -> Outcome {
        match self.candidates(request, entities) {
            Some(mut slice) => {
                slice.retain(|&i| self.on_baseline(i));
                self.run(&slice, request, entities)
            }
            None => self.run_full(&self.baseline, request, entities),
        }
    }

    /// Evaluates `request` against both sides. When the request's slice holds only policies
    /// shared by the sides, Cedar runs once and both outcomes are that one result.
    pub fn compare(&self, request: &Request, entities: &Entities) -> OutcomePair {
        let Some(candidates) = self.candidates(request, entities) else {
            return OutcomePair {
                baseline: self.run_full(&self.baseline, request, entities),
                candidate: self.run_full(&self.candidate, request, entities),
            };
        };
        let shared = candidates.iter().all(|&i| {
            self.entries
                .get(i as usize)
                .is_some_and(|e| e.sides == BOTH)
        });
        if shared {
            let outcome = self.run(&candidates, request, entities);
            return OutcomePair {
                candidate: outcome.clone(),
                baseline: outcome,
            };
        }
        OutcomePair {
            baseline: self.run(&self.on_side(&candidates, BASELINE), request, entities),
            candidate: self.run(&self.on_side(&candidates, CANDIDATE), request, entities),
        }
    }

    /// Ids of the baseline policies whose scope can match `request`, sorted: the slice
    /// [`ScopeIndex::evaluate`] hands Cedar (every baseline policy for a partial request).
    pub fn candidate_ids(&self, request: &Request, entities: &Entities) -> Vec<String> {
        let slice = match self.candidates(request, entities) {
            Some(candidates) => self.on_side(&candidates, BASELINE),
            None => self.on_side(
                &(0..id_u32(self.entries.len())).collect::<Vec<u32>>(),
                BASELINE,
            ),
        };
        let mut ids: Vec<String> = slice
            .iter()
            .filter_map(|&i| self.entries.get(i as usize))
            .map(|e| e.policy.id().to_string())
            .collect();
        ids.sort_unstable();
        ids
    }

    fn on_baseline(&self, i: u32) -> bool {
        self.entries
            .get(i as usize)
            .is_some_and(|e| e.sides & BASELINE != 0)
    }

    fn on_side(&self, candidates: &[u32], side: u8) -> Vec<u32> {
        candidates
            .iter()
            .copied()
            .filter(|&i| {
                self.entries
                    .get(i as usize)
                    .is_some_and(|e| e.sides & side != 0)
            })
            .collect()
    }

    /// The catalog indices, sorted and unique, of the policies whose scope can match the
    /// request; `None` when a component is unknown (a partial request), which the index
    /// cannot slice.
    fn candidates(&self, request: &Request, entities: &Entities) -> Option<Vec<u32>> {
        let principal = self.probe(request.principal()?, entities);
        let action = self.probe(request.action()?, entities);
        let resource = self.probe(request.resource()?, entities);

        let b = &self.buckets;
        let mut out = Vec::new();
        let mut scan = |bucket: Option<&Vec<Filed>>| {
            for f in bucket.into_iter().flatten() {
                if principal.matches(f.principal)
                    && resource.matches(f.resource)
                    && action.matches_action(f.action, &b.action_lists)
                {
                    out.push(f.at);
                }
            }
        };
        for key in principal.keys() {
            scan(b.principal_uid.get(key as usize));
        }
        for key in resource.keys() {
            scan(b.resource_uid.get(key as usize));
        }
        for key in action.keys() {
            scan(b.action_uid.get(key as usize));
        }
        if let Some(t) = principal.ty {
            scan(b.principal_type.get(t as usize));
        }
        if let Some(t) = resource.ty {
            scan(b.resource_type.get(t as usize));
        }
        scan(Some(&b.always));
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// The request entity with its ancestors in `entities`, the same closure Cedar's `in`
    /// reads. An entity missing from the store has no ancestors: it is `in` only itself.
    fn probe(&self, uid: &EntityUid, entities: &Entities) -> Probe {
        let ancestors = entities
            .ancestors(uid)
            .map(|found| found.filter_map(|a| self.uids.get(a).copied()).collect())
            .unwrap_or_default();
        Probe {
            uid: self.uids.get(uid).copied(),
            ty: self.types.get(uid.type_name()).copied(),
            ancestors,
        }
    }

    fn run(&self, slice: &[u32], request: &Request, entities: &Entities) -> Outcome {
        if slice.is_empty() {
            // What Cedar answers for an empty set, without building a request evaluator.
            return Outcome::default_deny();
        }
        match self.slice(slice) {
            Some(set) => {
                Outcome::from_response(&self.authorizer.is_authorized(request, &set, entities))
            }
            // A slice that cannot be rebuilt (never seen: ids are unique per side) falls
            // back to the side it came from, which gives the same answer, only slower.
            None => {
                let from_baseline = slice.iter().all(|&i| self.on_baseline(i));
                let full = if from_baseline {
                    &self.baseline
                } else {
                    &self.candidate
                };
                self.run_full(full, request, entities)
            }
        }
    }

    fn run_full(&self, set: &PolicySet, request: &Request, entities: &Entities) -> Outcome {
        Outcome::from_response(&self.authorizer.is_authorized(request, set, entities))
    }

    /// The built set for a slice key, from the cache or built now.
    fn slice(&self, key: &[u32]) -> Option<Arc<PolicySet>> {
        if let Some(found) = self
            .slices
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
        {
            return Some(Arc::clone(found));
        }
        let built = Arc::new(self.build(key)?);
        let mut cache = self.slices.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = cache.get(key) {
            // Another thread built it meanwhile: share one copy.
            return Some(Arc::clone(found));
        }
        if cache.len() < MAX_CACHED_SLICES {
            cache.insert(key.into(), Arc::clone(&built));
        }
        Some(built)
    }

    /// A policy set of the entries in `key`, from the `Policy` objects themselves: parsing
    /// their text again would renumber `policyN` ids.
    fn build(&self, key: &[u32]) -> Option<PolicySet> {
        let mut set = PolicySet::new();
        for &i in key {
            let entry = self.entries.get(i as usize)?;
            match (&entry.template, entry.policy.template_links()) {
                (Some(template), Some(values)) => {
                    if set.template(template.id()).is_none() {
                        set.add_template(template.clone()).ok()?;
                    }
                    set.link(template.id().clone(), entry.policy.id().clone(), values)
                        .ok()?;
                }
                _ => set.add(entry.policy.clone()).ok()?,
            }
        }
        Some(set)
    }
}

/// Collects the catalog, the interned names and each entry's scopes.
#[derive(Default)]
struct Builder {
    entries: Vec<Entry>,
    /// Per entry: principal, action and resource scopes.
    scopes: Vec<(Scope, ActionList, Scope)>,
    uids: FxMap<EntityUid, u32>,
    types: FxMap<EntityTypeName, u32>,
}

impl Builder {
    /// Adds `policy` (of `set`) to the catalog and returns its index.
    fn add(&mut self, policy: &Policy, set: &PolicySet, sides: u8) -> Result<usize, ReplayError> {
        let template = match policy.template_id() {
            None => None,
            Some(id) => {
                Some(
                    set.template(id)
                        .cloned()
                        .ok_or_else(|| ReplayError::MissingTemplate {
                            policy: policy.id().to_string(),
                            template: id.to_string(),
                        })?,
                )
            }
        };
        let principal = match policy.principal_constraint() {
            PrincipalConstraint::Any => Scope::Any,
            PrincipalConstraint::Eq(u) => Scope::Eq(self.uid(u)),
            PrincipalConstraint::In(u) => Scope::In(self.uid(u)),
            PrincipalConstraint::Is(t) => Scope::Is(self.ty(t)),
            PrincipalConstraint::IsIn(t, u) => Scope::IsIn(self.ty(t), self.uid(u)),
        };
        let resource = match policy.resource_constraint() {
            ResourceConstraint::Any => Scope::Any,
            ResourceConstraint::Eq(u) => Scope::Eq(self.uid(u)),
            ResourceConstraint::In(u) => Scope::In(self.uid(u)),
            ResourceConstraint::Is(t) => Scope::Is(self.ty(t)),
            ResourceConstraint::IsIn(t, u) => Scope::IsIn(self.ty(t), self.uid(u)),
        };
        let action = match policy.action_constraint() {
            ActionConstraint::Any => ActionList::Any,
            ActionConstraint::Eq(u) => ActionList::Eq(self.uid(u)),
            ActionConstraint::In(list) => {
                ActionList::In(list.into_iter().map(|u| self.uid(u)).collect())
            }
        };
        self.entries.push(Entry {
            policy: policy.clone(),
            template,
            sides,
        });
        self.scopes.push((principal, action, resource));
        Ok(self.entries.len() - 1)
    }

    fn uid(&mut self, uid: EntityUid) -> u32 {
        let next = id_u32(self.uids.len());
        *self.uids.entry(uid).or_insert(next)
    }

    fn ty(&mut self, ty: EntityTypeName) -> u32 {
        let next = id_u32(self.types.len());
        *self.types.entry(ty).or_insert(next)
    }

    fn finish(self, baseline: Arc<PolicySet>, candidate: Arc<PolicySet>) -> ScopeIndex {
        let mut b = Buckets {
            principal_uid: vec![Vec::new(); self.uids.len()],
            resource_uid: vec![Vec::new(); self.uids.len()],
            action_uid: vec![Vec::new(); self.uids.len()],
            principal_type: vec![Vec::new(); self.types.len()],
            resource_type: vec![Vec::new(); self.types.len()],
            always: Vec::new(),
            action_lists: Vec::new(),
        };
        let push = |list: &mut Vec<Vec<Filed>>, key: u32, filed: Filed| {
            if let Some(bucket) = list.get_mut(key as usize) {
                bucket.push(filed);
            }
        };
        for (i, (principal, raw_action, resource)) in self.scopes.into_iter().enumerate() {
            let (action, list) = match raw_action {
                ActionList::Any => (ActionScope::Any, Vec::new()),
                ActionList::Eq(u) => (ActionScope::Eq(u), Vec::new()),
                ActionList::In(list) => {
                    let start = id_u32(b.action_lists.len());
                    b.action_lists.extend(&list);
                    let len = id_u32(list.len());
                    (ActionScope::In { start, len }, list)
                }
            };
            let filed = Filed {
                at: id_u32(i),
                principal,
                action,
                resource,
            };
            // The most selective key first: a named principal, a named resource, the
            // actions, then a type, then nothing.
            if let Some(u) = named_uid(principal) {
                push(&mut b.principal_uid, u, filed);
            } else if let Some(u) = named_uid(resource) {
                push(&mut b.resource_uid, u, filed);
            } else if let ActionScope::Eq(u) = action {
                push(&mut b.action_uid, u, filed);
            } else if let ActionScope::In { .. } = action {
                for &u in &list {
                    push(&mut b.action_uid, u, filed);
                }
            } else if let Scope::Is(t) = principal {
                push(&mut b.principal_type, t, filed);
            } else if let Scope::Is(t) = resource {
                push(&mut b.resource_type, t, filed);
            } else {
                b.always.push(filed);
            }
        }
        ScopeIndex {
            entries: self.entries,
            uids: self.uids,
            types: self.types,
            buckets: b,
            baseline,
            candidate,
            slices: RwLock::new(FxMap::default()),
            authorizer: Authorizer::new(),
        }
    }
}

/// An action scope while the index is built, before `in` lists are laid out flat.
enum ActionList {
    Any,
    Eq(u32),
    In(Vec<u32>),
}

/// The uid a principal or resource scope names, if any.
fn named_uid(scope: Scope) -> Option<u32> {
    match scope {
        Scope::Eq(u) | Scope::In(u) | Scope::IsIn(_, u) => Some(u),
        Scope::Any | Scope::Is(_) => None,
    }
}

/// Catalog positions are `u32` to keep buckets and slice keys small; a policy set has far
/// fewer than four billion policies, and saturating keeps the conversion total.
fn id_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A set's policies in id order, so catalog positions do not depend on hash order.
fn sorted_policies(set: &PolicySet) -> Vec<&Policy> {
    let mut policies: Vec<&Policy> = set.policies().collect();
    policies.sort_by(|a, b| a.id().cmp(b.id()));
    policies
}

fn template_of<'a>(policy: &Policy, set: &'a PolicySet) -> Option<&'a Template> {
    policy.template_id().and_then(|id| set.template(id))
}

/// Same id, same meaning and the same text: Cedar gives both the same result.
fn same_policy(a: &Policy, b: &Policy) -> bool {
    a == b && a.to_string() == b.to_string()
}

fn same_template(a: Option<&Template>, b: Option<&Template>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b && a.to_string() == b.to_string(),
        _ => false,
    }
}
