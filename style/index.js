import './base.css';
import './remote.css';
import './remote-jupyter.css';
import './remote-hub.css';
import './remote-skaha.css';
import './remote-run-code.css';
