// Translates the Oniguruma patterns Hugging Face tokenizers use into JavaScript regular expressions with the same classes.
import { invalid } from './fields.js';

// Oniguruma's Unicode \w and \s differ from JavaScript's ASCII \w and its \s (which adds U+FEFF and lacks U+0085).
const WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
const SPACE = '\\p{White_Space}';

export function onigToJs(pattern: string, path: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const e = pattern[++i];
      switch (e) {
        case 'w': out += inClass ? WORD : `[${WORD}]`; break;
        case 'W':
          if (inClass) throw invalid(`${path}: \\W inside a character class is not supported in pattern ${JSON.stringify(pattern)}`);
          out += `[^${WORD}]`;
          break;
        case 's': out += SPACE; break;
        case 'S': out += '\\P{White_Space}'; break;
        case 'd': out += '\\p{Nd}'; break;
        case 'D': out += '\\P{Nd}'; break;
        case 'p': case 'P': case 'u': case 'x': {
          // Property and code-point escapes carry their argument with them.
          out += c + e;
          break;
        }
        default:
          // In JavaScript's unicode mode only syntax characters may be escaped; Oniguruma allows more.
          if (e === '-') out += inClass ? '\\-' : '-';
          else out += /[A-Za-z0-9]/.test(e) || '^$\\.*+?()[]{}|/'.includes(e) ? c + e : e;
      }
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  try {
    return new RegExp(out, 'gu');
  } catch (err) {
    throw invalid(`${path}: cannot use regex pattern ${JSON.stringify(pattern)} (${(err as Error).message})`);
  }
}

export function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

export function literalRegex(text: string): RegExp {
  return new RegExp(escapeLiteral(text), 'gu');
}
