// "Predict, then reveal": the presenter asks the class about the next value of the trace and reveals it; a
// follower answers on a phone; alone, the "predict" switch hides each next value until the student guesses.
// The quiz's few requests are room.js's (askQuestion … closeQuestion); views draw, models judge.

import { answerQuestion, askQuestion, closeQuestion, readQuestion, revealQuestion } from "../room.js";
import { HELD_WORDS, createScore, flipSign, judge, parseAnswer, promptLatex } from "../models/quiz.js";

const POLL_MS = 600; // the presenter's panel re-reads the answers about twice a second while a question is open


/**
 * The presenter's side. deps: {panel (views/quiz.js createPresenterPanel), askButton, player, current() ->
 * {sample, p, trace}, say, rule() (the server's tolerance or null, models/quiz.js)}. tap(room) wraps room.js so the quiz learns the room's code, token and followers
 * when presenting starts; returns {tap, ask, reveal, close}.
 */
export function createQuizPresenter(deps) {
  let room = null; // {code, token} while presenting
  let followers = null;
  let question = null;
  let timer = null;

  function stopPolling() {
    clearTimeout(timer);
    timer = null;
  }

  async function poll() {
    if (!room || !question || question.revealed) return;
    const asked = question.id;
    try {
      const status = await readQuestion(room.code, asked, room.token);
      if (question && question.id === asked && !question.revealed) deps.panel.progress(status, followers, deps.rule());
    } catch (err) {
      if (err.status !== 0) deps.say(`Reading the answers failed: ${err.message}`);
    }
    if (question && question.id === asked && !question.revealed) timer = setTimeout(poll, POLL_MS);
  }

  async function ask() {
    if (!room) return;
    const { sample, p, trace } = deps.current();
    if (!trace || p >= trace.events.length) {
      deps.say("The trace is at its end: step back to ask the class about a value.", "info");
      return;
    }
    deps.player.pause();
    deps.askButton.disabled = true;
    try {
      stopPolling();
      question = { ...(await askQuestion(room.code, room.token, sample, p)), revealed: false };
      // no screen steps past the asked value until Reveal or Close
      deps.player.hold(question.event, () => deps.say(HELD_WORDS, "info"));
      deps.panel.asked(question);
      poll();
    } catch (err) {
      deps.say(`Asking the class failed: ${err.message}`);
    } finally {
      deps.askButton.disabled = false;
    }
  }

  async function reveal() {
    if (!room || !question) return;
    stopPolling();
    deps.panel.revealing(true);
    try {
      const res = await revealQuestion(room.code, question.id, room.token);
      question.revealed = true;
      deps.player.hold(null);
      deps.panel.revealed(res, followers, deps.rule());
      // the step continues: the asked value appears in the formula on every screen
      if (deps.current().p === question.event) deps.player.next();
    } catch (err) {
      deps.panel.revealing(false);
      deps.say(`Revealing failed: ${err.message}`);
    }
  }

  function forget() {
    stopPolling();
    deps.player.hold(null);
    question = null;
    deps.panel.hide();
  }

  // the server clears the question from every phone and refuses later answers; the panel goes only then
  async function close() {
    if (!room || !question) return forget();
    try {
      await closeQuestion(room.code, question.id, room.token);
      forget();
    } catch (err) {
      deps.say(`Closing the question failed: ${err.message}`);
    }
  }

  function started(presenting) {
    room = { code: presenting.code, token: presenting.token };
    deps.askButton.hidden = false;
  }

  function stopped() {
    forget();
    room = null;
    deps.askButton.hidden = true;
  }

  /** A reloaded presenter's page takes back the room's open question: the panel, the answers, the hold. */
  function adopt(state) {
    const q = state && state.question;
    if (!q || q.revealed) return;
    question = { ...q, revealed: false };
    deps.player.hold(question.event, () => deps.say(HELD_WORDS, "info"));
    deps.panel.asked(question);
    poll();
  }

  /**
   * room.js with startPresenting and resumePresenting wrapped: the quiz gets the code, the token and the followers
   * count (and, on a resumed room, its open question).
   */
  function tap(roomModule) {
    const wrap = (begin) => async (first, options = {}) => {
      const presenting = await begin(first, {
        ...options,
        onFollowers: (n) => {
          followers = n;
          if (options.onFollowers) options.onFollowers(n);
        },
      });
      if (!presenting) return presenting;
      started(presenting);
      adopt(presenting.state);
      return {
        ...presenting,
        stop() {
          presenting.stop();
          stopped();
        },
      };
    };
    return { ...roomModule, startPresenting: wrap(roomModule.startPresenting), resumePresenting: wrap(roomModule.resumePresenting) };
  }

  return { tap, ask, reveal, close };
}

/**
 * The follower's side. deps: {card (views/quiz.js createFollowerCard), code, member (the identity: get(fresh)
 * resolves to {follower, token, name}), rule() (the server's tolerance or null)}. tap(room) wraps
 * room.js's followRoom so every room state also reaches the quiz; returns {tap, submit, sign, dismiss}.
 */
export function createQuizFollower(deps) {
  let current = null; // the question on screen
  let mine = null; // this follower's last answer that the server took
  let dismissed = null;

  function onState(state) {
    const q = state.question;
    if (!q) {
      current = null;
      deps.card.hide();
      return;
    }
    if (!current || current.id !== q.id) {
      mine = null;
      // revealed before this page saw it: the question is over (its numbers may predate training), so none shows
      dismissed = q.revealed ? q.id : null;
      current = q;
      if (!q.revealed) deps.card.question(q);
    }
    current = q;
    if (dismissed === q.id) return;
    if (q.revealed) {
      // once the presenter has moved past the asked step, the card steps aside
      if (state.position > q.event + 1) deps.card.hide();
      else deps.card.revealed(q, mine, mine == null ? null : judge(q.value, mine, deps.rule()), deps.rule());
    }
  }

  /** Answers with this student's identity; one the server no longer knows is replaced once. */
  async function answerAs(qid, value) {
    try {
      await answerQuestion(deps.code, qid, (await deps.member.get()).token, value);
    } catch (err) {
      if (err.status !== 401) throw err;
      await answerQuestion(deps.code, qid, (await deps.member.get(true)).token, value);
    }
  }

  async function submit(text) {
    if (!current || current.revealed) return;
    const value = parseAnswer(text);
    if (value == null) {
      deps.card.error("Type a number, e.g. 0.42 or −1.3 (use ± for the sign).");
      return;
    }
    try {
      await answerAs(current.id, value);
      mine = value;
      deps.card.sent(value);
    } catch (err) {
      deps.card.error(err.status === 409 ? "Answers are closed for this question." : `Not sent: ${err.message}`);
    }
  }

  function sign() {
    deps.card.input.value = flipSign(deps.card.input.value);
    deps.card.input.focus({ preventScroll: true });
  }

  function dismiss() {
    if (current) dismissed = current.id;
    deps.card.hide();
  }

  function tap(roomModule) {
    return {
      ...roomModule,
      followRoom(code, onRoomState, options) {
        return roomModule.followRoom(code, (state) => {
          onRoomState(state);
          onState(state);
        }, options);
      },
    };
  }

  return { tap, submit, sign, dismiss, onState };
}

/**
 * Alone: with the "predict" switch on, the next value stays hidden until the student guesses it; a score is
 * kept. deps: {card (createSoloCard), position, player, rule() (the server's tolerance or null)}. beforeNext(next) stands in for the player's next.
 */
export function createSoloPredict(deps) {
  const score = createScore(deps.rule());
  let on = false;
  let event = null; // the event the card asks about
  let checked = false;

  function set(enabled) {
    on = enabled;
    if (!on) {
      deps.card.hide();
      event = null;
    }
  }

  function beforeNext(next) {
    const { p, trace } = deps.position;
    if (!on || !trace || p >= trace.events.length) return next();
    if (event === p && checked) {
      deps.card.hide();
      event = null;
      return next();
    }
    if (event === p && deps.card.open) return undefined; // already asking: → does not give the answer away
    deps.player.pause();
    event = p;
    checked = false;
    deps.card.ask(promptLatex(trace.events[p]), p, score.text());
    return undefined;
  }

  function finish(guess) {
    const ev = deps.position.trace.events[event];
    const verdict = guess == null ? null : score.record(ev.value, guess);
    checked = true;
    deps.card.result(ev.value, guess, verdict, score.text(), deps.rule());
    deps.player.next();
  }

  function check(text) {
    if (event == null || checked) return;
    const guess = parseAnswer(text);
    if (guess == null) {
      deps.card.error("Type a number, e.g. 0.42 or −1.3.");
      return;
    }
    finish(guess);
  }

  function proceed() {
    deps.card.hide();
    event = null;
  }

  // moving elsewhere (back, a seek, another trace) closes the question
  deps.position.onChange((p, how) => {
    if (event == null) return;
    if (how === "load" || (checked ? p !== event + 1 : p !== event)) {
      deps.card.hide();
      event = null;
    }
  });

  return {
    set, beforeNext, check, proceed,
    skip: () => event != null && !checked && finish(null),
    sign: () => {
      deps.card.input.value = flipSign(deps.card.input.value);
    },
    score,
  };
}
