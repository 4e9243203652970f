function Export-MSCommerceLicenseUser {
    <#
    .SYNOPSIS
        Exports the users who hold licenses of chosen subscriptions, or of every self-service one, to a CSV file.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/exportUsers and writes the CSV the service streams (columns displayName,
        userPrincipalName, productName, subscriptionId, purchaser, assignedAt) to -Path as it arrives, so even a
        very large export needs little memory. Import-Csv reads the file back.

        The subscriptions come from -SubscriptionId or from the pipeline: objects of Get-MSCommerceSubscription
        and of Get-MSCommerceLicense -ProductId bind by their SubscriptionId property, and each subscription is
        exported once however often it comes. The service takes up to 1000 IDs per request; more are sent 1000
        at a time and joined into one file with one header line. Without -SubscriptionId and without pipeline
        input, every self-service subscription of the organization is exported. When subscriptions were asked for
        but none came (a Where-Object that kept nothing, an empty array), nothing is exported and a warning says
        so: an empty selection never turns into "everything".

        The file is written under a temporary name next to -Path and renamed when the export is complete, so a
        failed export leaves no partial file and never replaces an existing one. An existing file is replaced
        only with -Force. Needs Global Administrator, Billing Administrator or Global Reader.

    .PARAMETER Path
        The CSV file to write.

    .PARAMETER SubscriptionId
        The subscriptions whose users to export. Takes several IDs; binds from the SubscriptionId property of
        piped objects.

    .PARAMETER Force
        Replaces an existing file.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Export-MSCommerceLicenseUser -Path ./self-service-users.csv

        Exports the users of every self-service subscription.

    .EXAMPLE
        Get-MSCommerceLicense -ProductId CFQ7TTC0H9MP | Export-MSCommerceLicenseUser -Path ./power-bi-pro-users.csv

        Exports the users of every self-service subscription that has a Power BI Pro license holder.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property Purchaser -EQ 'ann@contoso.onmicrosoft.com' | Export-MSCommerceLicenseUser -Path ./ann.csv -Force

        Exports the users of the subscriptions Ann bought, replacing ./ann.csv if it exists.

    .EXAMPLE
        Export-MSCommerceLicenseUser -SubscriptionId $first, $second -Path ./two.csv
        Import-Csv -Path ./two.csv | Format-Table -Property displayName, userPrincipalName, productName

        Exports the users of two subscriptions and shows them.

    .INPUTS
        System.String. Subscription IDs, by property name (SubscriptionId).

    .OUTPUTS
        System.IO.FileInfo. The written file.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Path,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string[]]$SubscriptionId,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        # The service's limit per request.
        $batchSize = 1000
        $ids = New-Object -TypeName 'System.Collections.Generic.List[string]'
        $seen = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList ([System.StringComparer]::OrdinalIgnoreCase)
        # A selection was made (by parameter or through the pipeline), even one that holds nothing.
        $selected = $MyInvocation.ExpectingInput
    }

    process {
        if ($PSBoundParameters.ContainsKey('SubscriptionId')) {
            $selected = $true
        }
        foreach ($id in $SubscriptionId) {
            if (-not [string]::IsNullOrWhiteSpace($id) -and $seen.Add($id.Trim())) {
                $ids.Add($id.Trim())
            }
        }
    }

    end {
        $target = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
        if ($selected -and $ids.Count -eq 0) {
            Write-Warning -Message "No subscription was selected; nothing was exported to '$target'."
            return
        }
        if ((Test-Path -LiteralPath $target -PathType Container)) {
            $splatError = @{
                Message      = "'$target' is a folder; give the path of the CSV file to write."
                ErrorId      = 'PathIsFolder'
                Category     = 'InvalidArgument'
                TargetObject = $target
            }
            $PSCmdlet.WriteError((New-MSCommerceErrorRecord @splatError))
            return
        }
        $folder = [System.IO.Path]::GetDirectoryName($target)
        if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
            $splatError = @{
                Message      = "The folder '$folder' does not exist; create it first or choose another -Path."
                ErrorId      = 'FolderNotFound'
                Category     = 'ObjectNotFound'
                TargetObject = $folder
            }
            $PSCmdlet.WriteError((New-MSCommerceErrorRecord @splatError))
            return
        }
        if ((Test-Path -LiteralPath $target) -and -not $Force) {
            $splatError = @{
                Message      = "The file '$target' exists; use -Force to replace it."
                ErrorId      = 'FileExists'
                Category     = 'ResourceExists'
                TargetObject = $target
            }
            $PSCmdlet.WriteError((New-MSCommerceErrorRecord @splatError))
            return
        }
        $what = 'every self-service subscription'
        if ($ids.Count -gt 0) {
            $what = '{0} subscription(s)' -f $ids.Count
        }
        if (-not $PSCmdlet.ShouldProcess($target, "Export the license users of $what")) {
            return
        }

        # One request without IDs (every self-service subscription), else one per block of 1000 IDs.
        $batches = New-Object -TypeName 'System.Collections.Generic.List[object]'
        if ($ids.Count -eq 0) {
            $batches.Add($null)
        }
        for ($offset = 0; $offset -lt $ids.Count; $offset += $batchSize) {
            $batches.Add($ids.GetRange($offset, [System.Math]::Min($batchSize, $ids.Count - $offset)).ToArray())
        }

        $stem = '.{0}.{1}' -f [System.IO.Path]::GetFileName($target), [guid]::NewGuid().ToString('N')
        $combined = Join-Path -Path $folder -ChildPath ($stem + '.partial')
        $part = Join-Path -Path $folder -ChildPath ($stem + '.next')
        try {
            for ($index = 0; $index -lt $batches.Count; $index++) {
                $body = @{}
                if ($null -ne $batches[$index]) {
                    $body['subscriptionIds'] = [string[]]$batches[$index]
                }
                $outFile = $combined
                if ($index -gt 0) {
                    $outFile = $part
                }
                $splatRest = @{
                    Method       = 'POST'
                    Path         = '/v1.0/subscriptions/exportUsers'
                    Body         = $body
                    OutFile      = $outFile
                    Token        = $Token
                    ErrorContext = 'Failed to export license users'
                    TargetObject = $target
                }
                Invoke-MSCommerceRestMethod @splatRest
                if ($index -gt 0) {
                    Add-MSCommerceCsvBody -Path $combined -SourcePath $part
                    [System.IO.File]::Delete($part)
                }
            }
            # .NET rather than Remove-Item and Move-Item: those would ask again under -Confirm. File.Replace swaps
            # the complete file in, so a reader never sees the old file gone and the new one missing.
            if ([System.IO.File]::Exists($target)) {
                [System.IO.File]::Replace($combined, $target, [NullString]::Value)
            }
            else {
                [System.IO.File]::Move($combined, $target)
            }
            Get-Item -LiteralPath $target
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
        finally {
            foreach ($leftover in @($combined, $part)) {
                if ([System.IO.File]::Exists($leftover)) {
                    [System.IO.File]::Delete($leftover)
                }
            }
        }
    }
}
