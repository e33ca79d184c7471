import Java from "frida-java-bridge";
Java.perform(() => {
  try {
    const B = Java.use("io.adnexus.core.BidRequest");
    send("use ok " + B.$className);
    const o = B.$new("x");
    send("new ok " + o.toString());
    send("length: " + typeof (o as any).length);
  } catch (e) { send("error " + e); }
});
