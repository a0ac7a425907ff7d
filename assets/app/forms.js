// The state every create/edit form shares: its values, its errors by API field, and a submit that
// checks in the browser first, then saves, and shows a server refusal next to the field it names.
import { useEffect, useState } from './lib.js';

/** A whole number between lo and hi, typed as text (a form's browser-side check). */
export const whole = (v, lo, hi) => v !== '' && Number.isInteger(Number(v)) && Number(v) >= lo && Number(v) <= hi;

/**
 * `validate(form)` gives the browser's complaints by API field (in form order); `save(form)` sends
 * and moves on (the form stays busy); `fieldError(error)` places a refusal on a field as
 * [field, message], or null for an alert; `focus(field)` focuses that field's control. The first
 * field in error gets the focus.
 */
export function useForm(initial, { validate, save, fieldError, focus }) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState({});
  const [state, setState] = useState({ busy: false, error: null });
  const [focusOn, setFocusOn] = useState(null);
  useEffect(() => {
    if (!focusOn) return;
    focus(focusOn);
    setFocusOn(null);
  }, [focusOn]);

  const submit = async (e) => {
    e.preventDefault();
    const found = validate(form);
    setErrors(found);
    if (Object.keys(found).length) {
      setFocusOn(Object.keys(found)[0]);
      return;
    }
    setState({ busy: true, error: null });
    try {
      await save(form);
    } catch (error) {
      const onField = fieldError(error);
      if (onField) {
        setErrors({ [onField[0]]: onField[1] });
        setFocusOn(onField[0]);
        setState({ busy: false, error: null });
      } else {
        setState({ busy: false, error });
      }
    }
  };
  /** An input handler for `key` (a checkbox gives its checked state). */
  const set = (key) => (e) => {
    const target = e.currentTarget;
    setForm((f) => ({ ...f, [key]: target.type === 'checkbox' ? target.checked : target.value }));
  };
  const update = (key, value) => setForm((f) => ({ ...f, [key]: value }));
  return { form, setForm, set, update, errors, setErrors, err: (field) => errors[field], state, submit };
}
