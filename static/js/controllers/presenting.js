// Presenting to a classroom room: Share opens a room (room.js startPresenting), every move is published to it,
// the dialog shows the code, link and QR code, and the badge counts the followers.

/** deps: {room (room.js), dialog (views/dialogs.js createRoomDialog), say, current() -> {network, sample, p}}. */
export function createPresenting({ room, dialog, say, current }) {
  let presenting = null; // startPresenting's {code, joinUrl, qrUrl, publish, flush, stop} while sharing

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
      let followers = null; // the count may come before startPresenting resolves
      try {
        presenting = await room.startPresenting(current().network.id, {
          onError: (err) => say(`The room did not get the last move: ${err.message}`),
          onFollowers: (n) => {
            followers = n;
            if (presenting) dialog.sharing(presenting.code, n);
          },
        });
      } catch (err) {
        say(`Opening a room failed: ${err.message}`);
        return;
      }
      publishPosition(null); // the room holds this page's position before its link is shown
      await presenting.flush();
      dialog.sharing(presenting.code, followers);
    }
    dialog.show(presenting);
  }

  function stop() {
    if (presenting) presenting.stop();
    presenting = null;
    dialog.sharing(null);
    say("Stopped sharing: followers keep the last position.", "info");
  }

  return { publish, publishPosition, toggle, stop };
}
