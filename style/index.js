// The remote sessions' styles (remote*.css) load with their code.
import './base.css';
