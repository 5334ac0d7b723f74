// Package forecast forecasts monthly series (sales of a market segment, a
// client, a product group) with prediction intervals whose coverage has
// been measured. It is pure Go with no dependencies beyond the standard
// library.
//
// # Use
//
//	series, problems, err := forecast.ReadCSV(r, forecast.FillNone) // series,period,value
//	results, failed := forecast.ForecastAll(ctx, series, 12, forecast.Options{})
//	err = forecast.WriteCSV(w, results) // series,period,forecast,lo80,hi80,lo95,hi95,model
//
// Forecast does one Series. Each Result names the model used, carries one
// Point per future month (forecast, 80% and 95% limits) and the model's
// rolling-origin backtest accuracy (MASE, Bias, BacktestN). Results are
// deterministic: no map order, no clock, fixed random seeds.
//
// # Methods
//
// Seasonal period m is 12 unless Options.Period says otherwise.
//
//   - Naive: the last value. SNaive: the value one season earlier (with
//     at least two seasons of data, like every seasonal method).
//   - ETS: the exponential smoothing state space models of Hyndman et al.
//     (2008), as in R's forecast::ets: additive or multiplicative error;
//     trend none, additive or additive damped; season none, additive or
//     multiplicative. Multiplicative trend and additive error with
//     multiplicative season are left out (forecast::ets's defaults), and
//     multiplicative parts are used only for strictly positive series.
//     Parameters are estimated by maximum likelihood (Nelder–Mead) within
//     forecast's "usual" region 0<β<α<1, 0<γ<1−α, 0.8≤φ≤0.98; the initial
//     level and trend are estimated too, the initial seasonal states are
//     the classical decomposition of the first three seasons (as
//     forecast::initstate starts them) and are not re-estimated: doing so
//     multiplied the fitting time by ten and moved M3 sMAPE by 0.04. The
//     form is selected by AICc, counting m−1 seasonal states as parameters.
//   - Theta: forecast::thetaf, the standard Theta method of Assimakopoulos
//     and Nikolopoulos (2000) in the form of Hyndman and Billah (2003):
//     simple exponential smoothing plus half the slope of the linear trend.
//     If the autocorrelation at lag m exceeds 1.645 standard errors
//     (Bartlett's formula; the 90% test of M3/M4, on more than 2m values)
//     the series is first divided by classical multiplicative seasonal
//     indices, and the forecast multiplied back (indices are subtracted
//     and added instead when the series has zeros or negatives).
//   - Damped: damped-trend Holt, ETS(A,Ad,N), on the same seasonally
//     adjusted data (the M3 "Dampen" method).
//   - Combo: the median, month by month, of ETS, Theta, Damped and SNaive
//     (SNaive only with two seasons of data; with four members the median
//     is the mean of the middle two). The median keeps one member that goes
//     astray from dragging the forecast.
//   - Croston (with the Syntetos–Boylan correction) and TSB
//     (Teunter–Syntetos–Babai, whose forecast decays when demand stops) for
//     intermittent demand; smoothing constants from a small grid by
//     in-sample mean squared error.
//   - Naive2 (exported for benchmarks): naive on data seasonally adjusted
//     as for Theta (three seasons needed), the M3/M4 benchmark.
//
// # Choice per series (Method "auto", the default)
//
// A series with no negatives and at least 30% zero months is intermittent:
// its candidates are TSB (the default), Croston and Naive, compared by
// squared error. Any other series starts from Combo, with ETS, Theta,
// Damped, SNaive and Naive as challengers, compared by absolute error.
//
// The comparison is a rolling-origin backtest: with h the forecast horizon
// and k = 3 origins (Options.Origins), every candidate is refitted
// (including the ETS form selection) on the series up to n−s, n−2s, n−3s
// months, s = ⌈h/3⌉, and forecasts to the end of the data; no origin
// leaves less than half the series for fitting. A challenger replaces the
// default only if its loss is lower with a paired t statistic below −3,
// counting the errors from one origin as a third of independent ones. On
// M3 choosing the backtest's best without such a bar was clearly worse
// than always combining (sMAPE 13.76 against 13.51); with it about one
// series in eight switches and accuracy is the same or slightly better.
//
// # Prediction intervals
//
// Every method gives a forecast standard deviation per horizon: ETS
// analytically (Hyndman et al. 2008, ch. 6: classes 1 and 2, i.e. all
// forms without multiplicative season) or from 1,000 simulated paths with a
// fixed seed (multiplicative season); Theta as its SES, σ√(1+(h−1)α²),
// times the seasonal index; Damped as ETS(A,Ad,N); Naive σ√h and SNaive
// σ√(⌊(h−1)/m⌋+1) from in-sample differences; Combo the mean of its
// members'.
//
// Model-based intervals are too narrow in practice (parameter and model
// uncertainty, changing series), so the chosen method's sd is calibrated
// on the same backtest: c² = (Σz² + 8)/(N + 8), z the backtest errors
// divided by the sd the method predicted for them, N their number (a prior
// of 8 points at c = 1 tempers short backtests). The limits are forecast
// ± t·c·sd with Student-t quantiles on N/3 degrees of freedom (at least
// 2), because the scale is estimated from N correlated errors. Intervals
// of non-negative series are cut at zero. Intermittent series take
// quantiles of their predictive mixture instead: no demand with
// probability 1−p, else a size drawn from the observed non-zero months.
// lo95 ≤ lo80 ≤ forecast ≤ hi80 ≤ hi95 always holds.
//
// # Short series and bad input
//
// Seasonal models need two full seasons (24 months): a shorter series is
// forecast with non-seasonal models only (ETS without season, Theta
// without adjustment, Damped); below 6 months with Naive. Damped needs 8
// months and the combination takes the median of the members that could
// be fitted. Multiplicative ETS parts and multiplicative seasonal
// adjustment are used only for strictly positive series. The backtest
// needs at least 7 months (half the series and 6 months before an
// origin); without it MASE, Bias and BacktestN are 0 and the intervals
// are the model's own, with normal quantiles. Result.Model always names what
// was used and Result.Note says why when that is simpler than asked.
//
// ReadCSV rejects, per series, a missing month (unless FillZero), a
// duplicate period, a bad period and a value that is not a number, naming
// the series and the month or line; the other series are read and
// forecast. Forecast rejects empty series and non-finite values;
// ForecastAll reports such series as SeriesError and forecasts the rest.
//
// # Accuracy
//
// On the 1,428 monthly M3 series (last 18 months held out, h = 18; make
// bench-forecast, or go run ./models/forecast/m3bench):
//
//	method   sMAPE  /Naive2  MASE   80% cover  95% cover
//	auto     13.50  0.805    0.848  79.3%      93.4%
//	combo    13.51  0.806    0.851  80.4%      94.3%
//	theta    13.86  0.827    0.864  78.4%      92.8%
//	damped   14.09  0.840    0.876  79.8%      94.0%
//	ets      14.56  0.868    0.868  81.1%      93.9%
//	Naive2   16.77  1        1.038
//
// go run ./models/forecast/m3score -kam bin/kam (also part of make
// bench-forecast) scores the kam forecast command independently: M3 as a
// series,period,value file in, the command's CSV out, its own Naive2; it
// gives the same figures (sMAPE 13.50 against Naive2 16.77, MASE 0.848,
// coverage 79.3% and 93.4%) in about 13 s for the whole command.
//
// Coverage holds across horizons (auto, 80%: 82.5/78.4/77.1% for months
// 1–6/7–12/13–18; 95%: 95.1/93.3/91.8%). The auto run takes about 13 s of
// CPU in all, so under 10 s on two idle cores.
package forecast
