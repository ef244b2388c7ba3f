// The JavaScript faces of the modules CloudFront Functions offer (Developer Guide, JavaScript
// runtime 1.0 and 2.0 features), built on the runtime's natives (__cf_*). Evaluated once per
// instance, before the function's code; `__cf_runtime` is 1 or 2.
(function () {
  var G = globalThis;
  var v2 = __cf_runtime === 2;
  var encodings = { utf8: 'utf8', 'utf-8': 'utf8', hex: 'hex', base64: 'base64',
    base64url: 'base64url', latin1: 'latin1', binary: 'latin1', ascii: 'latin1' };
  function enc(e) {
    if (e === undefined || e === null) return 'utf8';
    var n = encodings[String(e).toLowerCase()];
    if (!n) throw new TypeError('Unknown encoding: ' + e);
    return n;
  }
  function show(v) {
    if (typeof v === 'string') return v;
    try {
      var s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      return String(v);
    }
  }
  var log = __cf_log;
  G.console = {
    log: function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      log(parts.join(' '));
    }
  };

  // --- buffer (2.0) ---
  var Buffer;
  if (v2) {
    Buffer = class Buffer extends Uint8Array {
      static from(v, e, len) {
        if (typeof v === 'string') return new Buffer(__cf_encode(v, enc(e)));
        if (v instanceof ArrayBuffer) {
          return new Buffer(v, e === undefined ? 0 : e, len === undefined ? v.byteLength - (e || 0) : len);
        }
        if (v && v.type === 'Buffer' && Array.isArray(v.data)) return new Buffer(v.data);
        if (v && typeof v.length === 'number') return new Buffer(Array.prototype.slice.call(v));
        throw new TypeError('The first argument must be a string, Buffer, ArrayBuffer or array');
      }
      static alloc(n, fill, e) {
        var b = new Buffer(n);
        if (fill !== undefined) b.fill(fill, 0, n, e);
        return b;
      }
      static allocUnsafe(n) { return new Buffer(n); }
      static byteLength(v, e) {
        return typeof v === 'string' ? __cf_encode(v, enc(e)).length : v.byteLength;
      }
      static isBuffer(b) { return b instanceof Buffer; }
      static isEncoding(e) { return !!encodings[String(e).toLowerCase()]; }
      static compare(a, b) { return a.compare(b); }
      static concat(list, total) {
        var n = 0, i;
        for (i = 0; i < list.length; i++) n += list[i].length;
        if (total !== undefined) n = total;
        var out = new Buffer(n), at = 0;
        for (i = 0; i < list.length && at < n; i++) {
          var part = list[i].length > n - at ? list[i].subarray(0, n - at) : list[i];
          out.set(part, at);
          at += part.length;
        }
        return out;
      }
      toString(e, start, end) {
        var s = start || 0, t = end === undefined ? this.length : end;
        return __cf_decode(this.subarray(s, t), enc(e));
      }
      toJSON() { return { type: 'Buffer', data: Array.prototype.slice.call(this) }; }
      equals(o) { return this.compare(o) === 0; }
      compare(o) {
        var n = Math.min(this.length, o.length);
        for (var i = 0; i < n; i++) {
          if (this[i] !== o[i]) return this[i] < o[i] ? -1 : 1;
        }
        return this.length === o.length ? 0 : (this.length < o.length ? -1 : 1);
      }
      fill(v, start, end, e) {
        if (typeof v === 'string') {
          var bytes = __cf_encode(v, enc(e));
          var s = start || 0, t = end === undefined ? this.length : end;
          for (var i = s; i < t && bytes.length; i++) this[i] = bytes[(i - s) % bytes.length];
          return this;
        }
        return Uint8Array.prototype.fill.call(this, v, start, end);
      }
      write(str, off, len, e) {
        if (typeof off === 'string') { e = off; off = 0; len = undefined; }
        if (typeof len === 'string') { e = len; len = undefined; }
        var bytes = __cf_encode(str, enc(e)), o = off || 0;
        var n = Math.min(bytes.length, len === undefined ? this.length - o : len);
        for (var i = 0; i < n; i++) this[o + i] = bytes[i];
        return n;
      }
      includes(v, from, e) { return this.indexOf(v, from, e) !== -1; }
      indexOf(v, from, e) {
        if (typeof v === 'number') return Uint8Array.prototype.indexOf.call(this, v, from);
        var needle = typeof v === 'string' ? __cf_encode(v, enc(e)) : v;
        outer: for (var i = from || 0; i <= this.length - needle.length; i++) {
          for (var j = 0; j < needle.length; j++) if (this[i + j] !== needle[j]) continue outer;
          return i;
        }
        return -1;
      }
      slice(s, t) { return this.subarray(s, t); }
      view() { return new DataView(this.buffer, this.byteOffset, this.byteLength); }
      readUInt8(o) { return this.view().getUint8(o || 0); }
      readInt8(o) { return this.view().getInt8(o || 0); }
      readUInt16BE(o) { return this.view().getUint16(o || 0); }
      readUInt16LE(o) { return this.view().getUint16(o || 0, true); }
      readInt16BE(o) { return this.view().getInt16(o || 0); }
      readInt16LE(o) { return this.view().getInt16(o || 0, true); }
      readUInt32BE(o) { return this.view().getUint32(o || 0); }
      readUInt32LE(o) { return this.view().getUint32(o || 0, true); }
      readInt32BE(o) { return this.view().getInt32(o || 0); }
      readInt32LE(o) { return this.view().getInt32(o || 0, true); }
      readFloatBE(o) { return this.view().getFloat32(o || 0); }
      readFloatLE(o) { return this.view().getFloat32(o || 0, true); }
      readDoubleBE(o) { return this.view().getFloat64(o || 0); }
      readDoubleLE(o) { return this.view().getFloat64(o || 0, true); }
      writeUInt8(v, o) { this.view().setUint8(o || 0, v); return (o || 0) + 1; }
      writeUInt16BE(v, o) { this.view().setUint16(o || 0, v); return (o || 0) + 2; }
      writeUInt32BE(v, o) { this.view().setUint32(o || 0, v); return (o || 0) + 4; }
    };
    G.Buffer = Buffer;
    G.btoa = function (s) { return __cf_decode(__cf_encode(String(s), 'latin1'), 'base64'); };
    G.atob = function (s) { return __cf_decode(__cf_encode(String(s), 'base64'), 'latin1'); };
    G.TextEncoder = class TextEncoder {
      get encoding() { return 'utf-8'; }
      encode(s) { return new Uint8Array(__cf_encode(s === undefined ? '' : String(s), 'utf8')); }
    };
    G.TextDecoder = class TextDecoder {
      get encoding() { return 'utf-8'; }
      decode(b) { return b === undefined ? '' : __cf_decode(b, 'utf8'); }
    };
  }

  function byteString(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }

  // --- crypto ---
  function Hash(alg, key) {
    alg = String(alg).toLowerCase();
    if (alg !== 'md5' && alg !== 'sha1' && alg !== 'sha256') {
      throw new TypeError('Digest method not supported: ' + alg);
    }
    this.alg = alg;
    this.key = key;
    this.parts = [];
    this.done = false;
  }
  Hash.prototype.update = function (d, e) {
    if (this.done) throw new Error('Digest already called');
    if (typeof d === 'string') d = e ? __cf_encode(d, enc(e)) : d;
    this.parts.push(d);
    return this;
  };
  Hash.prototype.digest = function (e) {
    if (this.done) throw new Error('Digest already called');
    this.done = true;
    var data;
    if (this.parts.every(function (p) { return typeof p === 'string'; })) {
      data = this.parts.join('');
    } else {
      data = [];
      this.parts.forEach(function (p) {
        var b = typeof p === 'string' ? __cf_encode(p, 'utf8') : p;
        for (var i = 0; i < b.length; i++) data.push(b[i]);
      });
    }
    var key = this.key;
    if (key !== undefined && typeof key !== 'string') key = Array.prototype.slice.call(key);
    if (e !== undefined) {
      var name = String(e).toLowerCase();
      if (name !== 'hex' && name !== 'base64' && name !== 'base64url' && name !== 'latin1' &&
          name !== 'binary') {
        throw new TypeError('Unknown digest encoding: ' + e);
      }
      return __cf_digest(this.alg, data, name, key);
    }
    var bytes = __cf_digest(this.alg, data, '', key);
    return v2 ? Buffer.from(bytes) : byteString(bytes);
  };
  var crypto = {
    createHash: function (alg) { return new Hash(alg); },
    createHmac: function (alg, key) {
      if (key === undefined || key === null) throw new TypeError('The key argument is required');
      return new Hash(alg, key);
    }
  };

  // --- querystring (Node.js semantics) ---
  var qs = {};
  qs.escape = function (s) { return encodeURIComponent(String(s)); };
  qs.unescape = function (s) {
    try { return decodeURIComponent(s); } catch (e) { return s; }
  };
  qs.parse = function (str, sep, eq, options) {
    sep = sep || '&';
    eq = eq || '=';
    var out = {};
    if (typeof str !== 'string' || str.length === 0) return out;
    var maxKeys = options && typeof options.maxKeys === 'number' ? options.maxKeys : 1000;
    var decode = options && typeof options.decodeURIComponent === 'function'
      ? options.decodeURIComponent : qs.unescape;
    var parts = str.split(sep);
    if (maxKeys > 0 && parts.length > maxKeys) parts = parts.slice(0, maxKeys);
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === '') continue;
      var p = parts[i].replace(/\+/g, '%20');
      var at = p.indexOf(eq);
      var k = decode(at >= 0 ? p.slice(0, at) : p);
      var v = at >= 0 ? decode(p.slice(at + eq.length)) : '';
      if (!Object.prototype.hasOwnProperty.call(out, k)) out[k] = v;
      else if (Array.isArray(out[k])) out[k].push(v);
      else out[k] = [out[k], v];
    }
    return out;
  };
  qs.stringify = function (obj, sep, eq, options) {
    sep = sep || '&';
    eq = eq || '=';
    var escape = options && typeof options.encodeURIComponent === 'function'
      ? options.encodeURIComponent : qs.escape;
    function prim(v) {
      var t = typeof v;
      if (t === 'string') return v;
      if ((t === 'number' && isFinite(v)) || t === 'boolean' || t === 'bigint') return '' + v;
      return '';
    }
    if (obj === null || typeof obj !== 'object') return '';
    var out = [];
    Object.keys(obj).forEach(function (k) {
      var v = obj[k], ks = escape(prim(k)) + eq;
      if (Array.isArray(v)) {
        v.forEach(function (x) { out.push(ks + escape(prim(x))); });
      } else {
        out.push(ks + escape(prim(v)));
      }
    });
    return out.join(sep);
  };
  qs.decode = qs.parse;
  qs.encode = qs.stringify;

  // --- cloudfront (2.0): key value stores ---
  var cf = {
    kvs: function () {
      return {
        get: function (key, options) {
          var v = __cf_kvs('get', String(key));
          if (v === null) return Promise.reject(new Error('Key not found: ' + key));
          var format = options && options.format ? options.format : 'string';
          if (format === 'json') {
            try { return Promise.resolve(JSON.parse(v)); } catch (e) { return Promise.reject(e); }
          }
          if (format === 'bytes') return Promise.resolve(Buffer.from(v));
          if (format !== 'string') return Promise.reject(new TypeError('Unknown format: ' + format));
          return Promise.resolve(v);
        },
        exists: function (key) { return Promise.resolve(__cf_kvs('exists', String(key))); },
        meta: function () {
          var m = __cf_kvs('meta', '');
          return Promise.resolve({ creationDateTime: m[0], lastUpdatedDateTime: m[1], keyCount: m[2] });
        }
      };
    }
  };

  var modules = { crypto: crypto, querystring: qs };
  if (v2) {
    modules.buffer = { Buffer: Buffer };
    modules.cloudfront = cf;
  }
  G.require = function (name) {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new Error("Cannot find module '" + name + "'");
  };

  // --- runtime 1.0's byte-string methods ---
  if (!v2) {
    String.bytesFrom = function (v, e) {
      if (typeof v === 'string') return byteString(__cf_encode(v, enc(e)));
      return byteString(v);
    };
    String.prototype.fromBytes = function (s, t) { return this.slice(s, t); };
    String.prototype.toBytes = function (s, t) {
      var x = this.slice(s, t);
      for (var i = 0; i < x.length; i++) if (x.charCodeAt(i) > 255) return null;
      return x;
    };
    String.prototype.toUTF8 = function (s, t) {
      return byteString(__cf_encode(this.slice(s, t), 'utf8'));
    };
    String.prototype.fromUTF8 = function (s, t) {
      var d = __cf_decode(__cf_encode(this.slice(s, t), 'latin1'), 'utf8');
      return d.indexOf('\ufffd') >= 0 ? null : d;
    };
  }
})();
