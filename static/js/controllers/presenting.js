// Presenting to a classroom room: Share opens a room (room.js startPresenting), every move is published to it,
// the dialog shows the code, link and QR code, and the badge counts the followers.

/**
 * deps: {room (room.js), dialog (views/dialogs.js createRoomDialog), say, current() -> {network, sample, p},
 *        onRoom(code or null) (the room presented now: the address keeps it, so a reload presents it again)}.
 */
export function createPresenting({ room, dialog, say, current, onRoom = () => {} }) {
  let presenting = null; // startPresenting's {code, joinUrl, qrUrl, publish, flush, stop} while sharing
  let followers = null; // the count may come before the room's promise resolves
  const options = {
    onError: (err) => say(`The room did not get the last move: ${err.message}`),
    onFollowers: (n) => {
      followers = n;
      if (presenting) dialog.sharing(presenting.code, n);
    },
  };

  /** Sends fields to the room's followers; a no-op when not presenting. */
  function publish(fields) {
    if (presenting) presenting.publish(fields);
  }

  /** Publishes the position the page shows. */
  function publishPosition(st) {
    const { network, sample, p } = current();
    if (network) publish({ view: "main", network_id: network.id, sample, position: p, ...(st && st.phase ? { phase: st.phase } : {}) });
  }

  async function toggle(force) {
    const open = force === undefined ? !dialog.open : force;
    if (!open) {
      dialog.hide();
      return;
    }
    if (!current().network) return;
    if (!presenting) {
      try {
        presenting = await room.startPresenting(current().network.id, options);
      } catch (err) {
        say(`Opening a room failed: ${err.message}`);
        return;
      }
      await begun();
    }
    dialog.show(presenting);
  }

  async function begun() {
    publishPosition(null); // the room holds this page's position before its link is shown
    await presenting.flush();
    dialog.sharing(presenting.code, followers);
    onRoom(presenting.code);
  }

  /** A reloaded page presents its room again (its followers keep following); a room gone or not ours is left. */
  async function resume(code) {
    if (presenting || !code || !current().network) return;
    try {
      presenting = await room.resumePresenting(code, options);
    } catch (err) {
      say(`Presenting room ${code} again failed: ${err.message}`);
      return;
    }
    if (presenting) await begun();
    else onRoom(null);
  }

  function stop() {
    if (presenting) presenting.stop();
    presenting = null;
    dialog.sharing(null);
    onRoom(null);
    say("Stopped sharing: followers keep the last position.", "info");
  }

  return {
    publish, publishPosition, toggle, resume, stop,
    get code() {
      return presenting ? presenting.code : null;
    },
  };
}
