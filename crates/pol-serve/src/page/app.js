// The intake page: asks the question that matters next, shows the decision after every
// answer, and explains it with its legal sources once the case is decided.
//
// Everything comes from the service: the questions from GET v1/policies (a fact's doc
// string is its question), the next question from the decision's `missing` list (ranked
// by the engine, best first: the page asks the first one not answered "don't know"), the
// explanation from POST v1/explain (with `counterfactuals`, "what would change it", when
// the engine gives them). Nothing is stored; the case can be downloaded as JSON.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  const state = {
    catalogue: null,
    /** Every fact any policy reads, by path. */
    facts: new Map(),
    /** Answers, by path, as a case gives them (true, "daca", ["asylum"], 400, "2025-06-10"). */
    answers: new Map(),
    /** Paths answered "don't know": not asked again until cleared. */
    unknown: new Set(),
    /** Paths in the order first answered, for the list of answers. */
    order: [],
    /** The path whose answer is being changed, if any. */
    changing: null,
    /** The path asked now. */
    asked: null,
    /** Guards against answers arriving out of order. */
    seq: 0,
  };

  // ----- building blocks -----

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v === null || v === undefined) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  function words(word) {
    return String(word).replace(/_/g, ' ');
  }

  function capitalized(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
  }

  /** A fact's question in plain words: its group, then its doc string. */
  function question(path) {
    const fact = state.facts.get(path);
    const doc = fact && fact.doc ? fact.doc : words(path.split('.').pop());
    const dot = path.lastIndexOf('.');
    const group = dot > 0 ? capitalized(words(path.slice(0, dot))) + ': ' : '';
    const text = group ? group + doc : capitalized(doc);
    return fact && fact.type === 'bool' ? text + '?' : text;
  }

  /** An answer as people read it. */
  function shown(path, value) {
    const fact = state.facts.get(path);
    if (value === true) return 'yes';
    if (value === false) return 'no';
    if (Array.isArray(value)) return value.length ? value.map(words).join(', ') : 'none';
    if (fact && fact.type === 'duration') return `${value} ${fact.unit || ''}`.trim();
    if (fact && fact.type === 'enum') return words(value);
    return String(value);
  }

  function today() {
    const d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 10);
  }

  function setPath(object, path, value) {
    const parts = path.split('.');
    let at = object;
    for (const part of parts.slice(0, -1)) {
      if (typeof at[part] !== 'object' || at[part] === null) at[part] = {};
      at = at[part];
    }
    at[parts[parts.length - 1]] = value;
  }

  /** The case as the service reads it. */
  function currentCase() {
    const kase = { as_of: $('as-of').value, policy: $('policy').value };
    for (const path of state.order) {
      if (state.answers.has(path)) setPath(kase, path, state.answers.get(path));
    }
    return kase;
  }

  // Posts the case being built to `url`: the answer, or null (and a notice) when the service
  // cannot be reached.
  async function postCase(url) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(currentCase()),
      });
      const json = await response.json();
      return { ok: response.ok, json };
    } catch (e) {
      announce(`The service cannot be reached: ${e.message}`);
      return null;
    }
  }

  function announce(text) {
    $('status').textContent = text;
  }

  // ----- the decision -----

  const HEADLINES = {
    eligible: 'Eligible: every requirement is met and no exclusion applies. The grant is still discretionary.',
    ineligible: 'Not eligible: an exclusion applies or a requirement is not met.',
    not_required: 'Not required: the person does not need this at all.',
    unavailable: 'Unavailable: the program is closed, terminated, halted or not yet open on this date.',
    incomplete: 'Not decided yet: the answers so far cannot settle it.',
  };

  function renderDecision(d) {
    const box = $('decision');
    box.className = d.decision;
    const parts = [el('p', { class: 'headline', text: HEADLINES[d.decision] || d.decision })];
    const details = el('ul');
    if (d.forms && d.forms.length) details.append(el('li', { text: `Forms: ${d.forms.join(', ')}` }));
    if (d.max_validity_days !== null && d.max_validity_days !== undefined) {
      details.append(el('li', { text: `Granted for at most ${d.max_validity_days} days` }));
    }
    for (const w of d.warnings || []) details.append(el('li', { text: `Warning: ${words(w)}` }));
    if (d.decision === 'incomplete' && d.missing && d.missing.length) {
      // One question a line: their texts end in `?` or not, and a joined line read badly.
      const needed = el('ul', { class: 'needed' });
      for (const path of d.missing) needed.append(el('li', { text: question(path) }));
      details.append(el('li', {}, 'Still needed, the most telling first:', needed));
    }
    if (details.childElementCount) parts.push(details);
    box.replaceChildren(...parts);
  }

  const VERBS = {
    'exclude fired': 'excludes this case',
    'require not_met': 'is not met',
    'require held': 'is met',
    'not_required fired': 'makes this unnecessary',
    'unavailable fired': 'closes this policy for the case',
    'program fired': 'is closed on this date',
    'program did_not_fire': 'is open on this date',
    'warn fired': 'warns',
  };

  function verb(t) {
    if (t.outcome === 'open') return 'cannot be decided from the answers given';
    return VERBS[`${t.kind} ${t.outcome}`] || 'does not apply';
  }

  function ruleName(id) {
    return words(id.slice(id.indexOf('.') + 1));
  }

  /** One rule of an explanation (or of an open decision): what it did and its source. */
  function renderRule(rule) {
    const box = el('div', { class: 'rule' });
    box.append(el('h4', { text: `${capitalized(ruleName(rule.rule))} ${rule.kind ? verb(rule) : ''}`.trim() }));
    if (rule.conditions && rule.conditions.length) {
      const list = el('ul', { class: 'conditions' });
      for (const c of rule.conditions) {
        const facts = c.facts.map((f) => `${f.name} = ${f.value}`).join(', ');
        const exception = c.in_exception ? 'exception: ' : '';
        list.append(el('li', { text: `${exception}${c.text} — ${c.value}${facts ? ` (${facts})` : ''}` }));
      }
      box.append(list);
    }
    if (rule.cite) box.append(el('blockquote', { class: 'cite', text: rule.cite }));
    box.append(el('p', { class: 'hint path', text: `${rule.rule} — ${rule.file}:${rule.line}` }));
    return box;
  }

  function renderOpen(d) {
    const box = $('explanation');
    box.replaceChildren();
    if (!d.reasons || !d.reasons.length) return;
    box.append(el('h3', { text: 'Rules still open' }));
    for (const r of d.reasons) box.append(renderRule(r));
  }

  function renderExplanation(ex) {
    const box = $('explanation');
    box.replaceChildren(el('h3', { text: 'Why' }));
    const decisive = ex.trace.filter((t) => t.decisive);
    if (!decisive.length) {
      box.append(el('p', { text: 'No exclusion applies and every requirement is met.' }));
    }
    for (const t of decisive) box.append(renderRule(t));
    // Added by the engine when it can say what would change the decision.
    const counterfactuals = ex.counterfactuals || (ex.decision && ex.decision.counterfactuals);
    if (Array.isArray(counterfactuals) && counterfactuals.length) {
      box.append(el('h3', { text: 'What would change it' }));
      const list = el('ul', { id: 'counterfactuals' });
      for (const c of counterfactuals) {
        const changes = (c.changes || [])
          .map((ch) => `${question(ch.fact)} ${shown(ch.fact, ch.value)}`)
          .join('; ');
        const label = (HEADLINES[c.decision] || c.decision).split(':')[0];
        const rules = c.rules && c.rules.length ? ` (${c.rules.join(', ')})` : '';
        list.append(el('li', { text: `${label} if the answers were: ${changes}${rules}` }));
      }
      box.append(list);
    }
  }

  // ----- the question -----

  function control(fact, current) {
    const name = 'answer';
    const choices = (values, type) => {
      const box = el('div', { class: 'choices' });
      values.forEach(([value, label], i) => {
        const id = `answer-${i}`;
        const input = el('input', { type, name, id, value });
        const chosen = type === 'radio'
          ? current !== undefined && String(current) === value
          : Array.isArray(current) && current.includes(value);
        if (chosen) {
          input.checked = true;
        }
        box.append(el('label', { for: id }, input, label));
      });
      return box;
    };
    switch (fact.type) {
      case 'bool':
        return choices([['true', 'Yes'], ['false', 'No']], 'radio');
      case 'enum': {
        const ws = fact.words || [];
        if (ws.length <= 8) return choices(ws.map((w) => [w, words(w)]), 'radio');
        const select = el('select', { name, id: 'answer-input', 'aria-labelledby': 'question-legend' });
        select.append(el('option', { value: '', text: 'Choose…' }));
        for (const w of ws) {
          const option = el('option', { value: w, text: words(w) });
          if (current === w) option.selected = true;
          select.append(option);
        }
        return select;
      }
      case 'set':
        return choices((fact.words || []).map((w) => [w, words(w)]), 'checkbox');
      case 'date':
        return el('input', { type: 'date', name, id: 'answer-input', 'aria-labelledby': 'question-legend',
          value: current || '' });
      case 'integer':
      case 'duration': {
        const box = el('div', { class: 'choices' });
        box.append(el('input', { type: 'number', step: '1', inputmode: 'numeric', name, id: 'answer-input',
          'aria-labelledby': 'question-legend', 'aria-describedby': 'question-hint',
          value: current === undefined ? '' : String(current) }));
        if (fact.unit) box.append(el('span', { text: fact.unit }));
        return box;
      }
      default:
        return el('input', { type: 'text', name, id: 'answer-input', autocomplete: 'off',
          'aria-labelledby': 'question-legend', 'aria-describedby': 'question-hint',
          value: current === undefined ? '' : String(current) });
    }
  }

  const HINTS = {
    bool: 'Yes or no.',
    enum: 'Choose one.',
    set: 'Tick every one that applies; none ticked means none.',
    date: 'A date.',
    integer: 'A whole number.',
    duration: 'A whole number',
    string: 'Text.',
  };

  function hint(fact) {
    const base = HINTS[fact.type] || '';
    return fact.type === 'duration' ? `${base} of ${fact.unit}.` : base;
  }

  function ask(path, focus) {
    const fact = state.facts.get(path) || { path, type: 'string', doc: null };
    state.asked = path;
    const fieldset = el('fieldset', { id: 'current-question', 'data-path': path, 'data-type': fact.type,
      'aria-describedby': 'question-hint' });
    fieldset.append(el('legend', { id: 'question-legend', text: question(path) }));
    fieldset.append(control(fact, state.answers.get(path)));
    fieldset.append(el('p', { id: 'question-hint', class: 'hint' },
      `${hint(fact)} `, el('span', { class: 'path', text: path })));
    $('question').replaceChildren(fieldset);
    $('question-form').hidden = false;
    $('no-question').hidden = true;
    $('cancel-change').hidden = state.changing === null;
    $('question-heading').textContent = state.changing ? 'Change an answer' : 'Next question';
    if (focus) {
      const first = fieldset.querySelector('input, select');
      if (first) first.focus();
    }
  }

  function noQuestion(text) {
    state.asked = null;
    $('question').replaceChildren();
    $('question-form').hidden = true;
    const p = $('no-question');
    p.textContent = text;
    p.hidden = false;
    $('question-heading').textContent = 'Next question';
  }

  /** The answer given in the form, or an error message. */
  function readAnswer(fact) {
    const form = $('question-form');
    const checked = [...form.querySelectorAll('input[name="answer"]:checked')].map((i) => i.value);
    const input = $('answer-input');
    switch (fact.type) {
      case 'bool':
        return checked.length ? { value: checked[0] === 'true' } : { error: 'Choose yes or no, or “Don\'t know”.' };
      case 'enum': {
        const value = input ? input.value : checked[0];
        return value ? { value } : { error: 'Choose one, or “Don\'t know”.' };
      }
      case 'set':
        return { value: checked };
      case 'integer':
      case 'duration': {
        const text = input.value.trim();
        return /^-?\d+$/.test(text) ? { value: Number(text) } : { error: 'Enter a whole number, or “Don\'t know”.' };
      }
      case 'date':
        return /^\d{4}-\d{2}-\d{2}$/.test(input.value) ? { value: input.value } : { error: 'Enter a date, or “Don\'t know”.' };
      default: {
        const text = input.value.trim();
        return text ? { value: text } : { error: 'Enter an answer, or “Don\'t know”.' };
      }
    }
  }

  function showError(text) {
    const p = $('question-error');
    p.textContent = text;
    p.hidden = !text;
  }

  // ----- the answers so far -----

  function renderAnswers() {
    const list = $('answers');
    list.replaceChildren();
    for (const path of state.order) {
      const known = state.answers.has(path);
      if (!known && !state.unknown.has(path)) continue;
      const item = el('li', { 'data-path': path });
      item.append(el('span', { class: 'question', text: `${question(path)} ` }));
      item.append(known
        ? el('span', { class: 'answer', text: shown(path, state.answers.get(path)) })
        : el('span', { class: 'unknown', text: 'don\'t know' }));
      item.append(' ');
      const change = el('button', { type: 'button', class: 'link change', text: 'Change',
        'aria-label': `Change the answer to: ${question(path)}` });
      change.addEventListener('click', () => {
        state.changing = path;
        showError('');
        ask(path, true);
      });
      const clear = el('button', { type: 'button', class: 'link clear', text: 'Clear',
        'aria-label': `Clear the answer to: ${question(path)}` });
      clear.addEventListener('click', () => {
        state.answers.delete(path);
        state.unknown.delete(path);
        state.order = state.order.filter((p) => p !== path);
        if (state.changing === path) state.changing = null;
        announce(`Cleared: ${question(path)}`);
        refresh(false);
      });
      item.append(change, ' ', clear);
      list.append(item);
    }
    $('no-answers').hidden = list.childElementCount > 0;
  }

  function remember(path) {
    if (!state.order.includes(path)) state.order.push(path);
  }

  // ----- the loop: decide, show, ask -----

  /** Decides the case as it stands and shows the decision, the next question and, once
   * decided, the explanation. `body[data-settled]` counts the refreshes completed. */
  async function refresh(focus = true) {
    const seq = ++state.seq;
    try {
      await show(seq, focus);
    } finally {
      if (seq === state.seq) document.body.dataset.settled = String(seq);
    }
  }

  async function show(seq, focus) {
    showError('');
    const answer = await postCase('v1/decide');
    if (!answer || seq !== state.seq) return;
    renderAnswers();
    if (!answer.ok) {
      const error = answer.json.error || {};
      const help = answer.json.help ? ` ${answer.json.help}` : '';
      if (error.field && state.facts.has(error.field)) {
        state.changing = error.field;
        ask(error.field, focus);
      }
      showError(`${error.message || 'The case was refused.'}${help}`);
      return;
    }
    const d = answer.json;
    renderDecision(d);
    $('receipt').textContent = d.receipt ? `pol ${d.receipt.pol} · policies ${d.receipt.policies}` : '';
    const next = state.changing || (d.missing || []).find((p) => !state.unknown.has(p));
    if (next) {
      ask(next, focus);
    } else if (d.decision === 'incomplete') {
      noQuestion('No more questions: the facts still needed are the ones answered “Don\'t know”. '
        + 'Change one of them to decide the case.');
    } else {
      noQuestion('No more questions: the case is decided.');
    }
    if (d.decision === 'incomplete') {
      renderOpen(d);
      return;
    }
    const explained = await postCase('v1/explain');
    if (!explained || seq !== state.seq || !explained.ok) return;
    renderExplanation(explained.json);
    if (!next && focus) $('decision-heading').focus();
  }

  function submitAnswer(event) {
    event.preventDefault();
    const path = state.asked;
    if (!path) return;
    const fact = state.facts.get(path) || { type: 'string' };
    const read = readAnswer(fact);
    if (read.error) {
      showError(read.error);
      const first = $('current-question').querySelector('input, select');
      if (first) first.focus();
      return;
    }
    state.answers.set(path, read.value);
    state.unknown.delete(path);
    remember(path);
    state.changing = null;
    announce(`Answered: ${question(path)} ${shown(path, read.value)}`);
    refresh(true);
  }

  function dontKnow() {
    const path = state.asked;
    if (!path) return;
    state.answers.delete(path);
    state.unknown.add(path);
    remember(path);
    state.changing = null;
    announce(`Don't know: ${question(path)}`);
    refresh(true);
  }

  function download() {
    const kase = currentCase();
    const blob = new Blob([`${JSON.stringify(kase, null, 2)}\n`], { type: 'application/json' });
    const link = el('a', { href: URL.createObjectURL(blob), download: `${kase.policy || 'case'}-${kase.as_of}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  function restart() {
    state.answers.clear();
    state.unknown.clear();
    state.order = [];
    state.changing = null;
    announce('Started over.');
    refresh(true);
  }

  function showPolicyQuestion() {
    const policy = state.catalogue.policies.find((p) => p.name === $('policy').value);
    $('policy-question').textContent = policy && policy.question ? policy.question : '';
  }

  async function start() {
    let response;
    try {
      response = await fetch('v1/policies');
      state.catalogue = await response.json();
    } catch (e) {
      noQuestion(`The service cannot be reached: ${e.message}`);
      return;
    }
    const select = $('policy');
    for (const policy of state.catalogue.policies) {
      for (const fact of policy.facts) state.facts.set(fact.path, fact);
      select.append(el('option', { value: policy.name, text: words(policy.name) }));
    }
    $('as-of').value = today();
    showPolicyQuestion();
    select.addEventListener('change', () => {
      state.changing = null;
      showPolicyQuestion();
      refresh(false);
    });
    $('as-of').addEventListener('change', () => {
      if (/^\d{4}-\d{2}-\d{2}$/.test($('as-of').value)) refresh(false);
    });
    $('question-form').addEventListener('submit', submitAnswer);
    $('dont-know').addEventListener('click', dontKnow);
    $('cancel-change').addEventListener('click', () => {
      state.changing = null;
      refresh(true);
    });
    $('download').addEventListener('click', download);
    $('restart').addEventListener('click', restart);
    document.body.dataset.ready = 'true';
    refresh(false);
  }

  start();
})();
