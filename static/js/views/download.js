// Saving a file from the page: text handed to the browser's download, with nothing sent to the server.

/** Offers `text` as a file called `name` of MIME type `type`. */
export function download(name, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000); // the click starts the download before the URL is revoked
}
